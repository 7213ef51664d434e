import type { ColumnType, Generated } from 'kysely';

export type AuditActorKind = 'user' | 'portal_user' | 'system' | 'anonymous';
export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Append-only (enforced by a trigger) and hash-chained. */
export interface AuditLogTable {
  id: ColumnType<string, never, never>;
  occurred_at: Generated<Date>;
  actor_kind: AuditActorKind;
  actor_user_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  organisation_id: string | null;
  ip: string | null;
  request_id: string | null;
  outcome: ColumnType<AuditOutcome, AuditOutcome | undefined>;
  details: ColumnType<Record<string, unknown>, string | undefined>;
  prev_hash: string | null;
  /** Set by the database (trigger); insert ''. */
  hash: string;
}

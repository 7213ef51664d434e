import type { DbOrTx } from '../db/database.js';
import type { Actor } from '../identity/users.service.js';
import type { AuditActorKind, AuditOutcome } from './audit.table.js';

/** One audited event. The database chains it to the previous row (trigger), whoever writes it. */
export interface AuditEntry {
  action: string;
  actorKind: AuditActorKind;
  actorUserId?: string | null;
  actorRole?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  organisationId?: string | null;
  ip?: string | null;
  requestId?: string | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
  /** Only for imports and tests; normally the database's now(). */
  occurredAt?: Date;
}

/**
 * Audits a change made by a person (or, with no actor, by the system) to a target of an organisation:
 * the actor's id, role, IP and request id come from the actor.
 */
export function recordActorAudit(
  db: DbOrTx,
  actor: Actor | null,
  e: { action: string; targetType: string; targetId: string; organisationId: string; details: object },
): Promise<void> {
  return recordAudit(db, {
    action: e.action,
    actorKind: actor ? 'user' : 'system',
    actorUserId: actor?.userId ?? null,
    actorRole: actor?.role ?? null,
    targetType: e.targetType,
    targetId: e.targetId,
    organisationId: e.organisationId,
    ip: actor?.origin.ip ?? null,
    requestId: actor?.origin.requestId ?? null,
    details: e.details as Record<string, unknown>,
  });
}

export async function recordAudit(db: DbOrTx, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      action: e.action,
      actor_kind: e.actorKind,
      actor_user_id: e.actorUserId ?? null,
      actor_role: e.actorRole ?? null,
      target_type: e.targetType ?? null,
      target_id: e.targetId ?? null,
      organisation_id: e.organisationId ?? null,
      ip: e.ip ?? null,
      request_id: e.requestId ?? null,
      outcome: e.outcome ?? 'success',
      details: JSON.stringify(e.details ?? {}),
      hash: '',
      ...(e.occurredAt ? { occurred_at: e.occurredAt } : {}),
    })
    .execute();
}

export interface AuditQuery {
  from?: Date | undefined;
  to?: Date | undefined;
  /** Exact, or a prefix when it ends with `.*` (`auth.*`). */
  action?: string | undefined;
  actorUserId?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** 1..500. */
  limit: number;
  /** Cursor: only rows with a smaller id (the previous page's nextCursor). */
  before?: string | undefined;
}

export interface AuditRecord {
  id: string;
  occurredAt: Date;
  actorKind: AuditActorKind;
  actorUserId: string | null;
  actorUsername: string | null;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  organisationId: string | null;
  ip: string | null;
  requestId: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  hash: string;
}

const MAX_PAGE = 500;

/** Newest first, keyset-paged by id; `to` is exclusive. */
export async function listAudit(
  db: DbOrTx,
  q: AuditQuery,
): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_PAGE)
    throw new RangeError(`audit page size must be 1..${MAX_PAGE}, got ${q.limit}`);
  if (q.before !== undefined && !/^[0-9]{1,19}$/.test(q.before))
    throw new RangeError(`audit cursor must be a row id, got "${q.before}"`);
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .select([
      'a.id',
      'a.occurred_at',
      'a.actor_kind',
      'a.actor_user_id',
      'u.username',
      'a.actor_role',
      'a.action',
      'a.target_type',
      'a.target_id',
      'a.organisation_id',
      'a.ip',
      'a.request_id',
      'a.outcome',
      'a.details',
      'a.hash',
    ])
    .orderBy('a.id', 'desc')
    .limit(q.limit + 1);
  if (q.from) query = query.where('a.occurred_at', '>=', q.from);
  if (q.to) query = query.where('a.occurred_at', '<', q.to);
  if (q.action?.endsWith('.*'))
    query = query.where('a.action', 'like', `${q.action.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`);
  else if (q.action) query = query.where('a.action', '=', q.action);
  if (q.actorUserId) query = query.where('a.actor_user_id', '=', q.actorUserId);
  if (q.targetType) query = query.where('a.target_type', '=', q.targetType);
  if (q.targetId) query = query.where('a.target_id', '=', q.targetId);
  if (q.outcome) query = query.where('a.outcome', '=', q.outcome);
  if (q.before) query = query.where('a.id', '<', q.before);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  return {
    nextCursor: rows.length > q.limit ? String(page[page.length - 1]?.id) : null,
    items: page.map((r) => ({
      id: String(r.id),
      occurredAt: r.occurred_at,
      actorKind: r.actor_kind,
      actorUserId: r.actor_user_id,
      actorUsername: r.username,
      actorRole: r.actor_role,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      organisationId: r.organisation_id,
      ip: r.ip,
      requestId: r.request_id,
      outcome: r.outcome,
      details: r.details,
      hash: r.hash,
    })),
  };
}

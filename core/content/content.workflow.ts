import type { Updateable } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { RequestOrigin } from '../identity/identity.context.js';
import type { Role } from '../identity/identity.table.js';
import { surfaceOf } from '../identity/permissions.js';
import type { ContentsTable } from './content.table.js';

/**
 * The content workflow: the one module that changes `contents.status`. Every change is a row in
 * `content_transitions` (the item's timeline) and in the audit log, with actor and reason.
 *
 *   draft → in_review → approved | rejected → scheduled → publishing → published | failed | unconfirmed
 *   plus cancelled, from anything that has not started publishing.
 */
export const CONTENT_STATUSES = [
  'draft',
  'in_review',
  'approved',
  'rejected',
  'scheduled',
  'publishing',
  'published',
  'failed',
  'unconfirmed',
  'cancelled',
] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

export const CONTENT_ACTIONS = [
  'submit',
  'withdraw',
  'approve',
  'reject',
  'edit',
  'schedule',
  'reschedule',
  'cancel',
  // The publishing worker's actions (scheduled publishing issue).
  'start_publish',
  'mark_published',
  'mark_failed',
  'mark_unconfirmed',
  'release',
] as const;
export type ContentAction = (typeof CONTENT_ACTIONS)[number];

/** from → action → to. What is not listed is refused. */
export const TRANSITIONS: Readonly<Record<ContentStatus, Partial<Record<ContentAction, ContentStatus>>>> = {
  draft: { submit: 'in_review', cancel: 'cancelled' },
  // Editing content under review restarts its review on the new revision.
  in_review: {
    approve: 'approved',
    reject: 'rejected',
    withdraw: 'draft',
    edit: 'in_review',
    cancel: 'cancelled',
  },
  rejected: { edit: 'draft', submit: 'in_review', cancel: 'cancelled' },
  // Editing approved content sends it back to review.
  approved: { schedule: 'scheduled', edit: 'in_review', cancel: 'cancelled' },
  scheduled: {
    reschedule: 'scheduled',
    edit: 'in_review',
    cancel: 'cancelled',
    start_publish: 'publishing',
  },
  publishing: {
    mark_published: 'published',
    mark_failed: 'failed',
    mark_unconfirmed: 'unconfirmed',
    // A lease that expired before anything was sent: back to the queue.
    release: 'scheduled',
  },
  unconfirmed: { mark_published: 'published', mark_failed: 'failed' },
  // A failed item keeps its approval: it may be scheduled again, or edited (and reviewed again).
  failed: { schedule: 'scheduled', edit: 'in_review', cancel: 'cancelled' },
  published: {},
  cancelled: {},
};

/** Statuses whose content may no longer be edited. */
export const LOCKED_STATUSES: readonly ContentStatus[] = [
  'publishing',
  'published',
  'unconfirmed',
  'cancelled',
];

export function nextStatus(from: ContentStatus, action: ContentAction): ContentStatus | null {
  return TRANSITIONS[from][action] ?? null;
}

export function allowedActions(from: ContentStatus): ContentAction[] {
  return Object.keys(TRANSITIONS[from]) as ContentAction[];
}

/** Who moves content: a person (with role and origin) or the system (worker, reconciler). */
export interface WorkflowActor {
  userId: string | null;
  role: Role | 'system';
  origin?: RequestOrigin | undefined;
}

/** The service itself: automatic scheduling, the publisher and the reconciler. */
export const SYSTEM_ACTOR: WorkflowActor = { userId: null, role: 'system' };

export interface TransitionInput {
  contentId: string;
  action: ContentAction;
  actor: WorkflowActor;
  reason?: string | null | undefined;
  /** Other columns to change in the same statement (revision, scheduled_at, …). */
  set?: Omit<Updateable<ContentsTable>, 'status'>;
  details?: Record<string, unknown>;
  /**
   * The status the caller knows the item is in (the publisher's claim and its own lease): the read
   * is skipped; the update is conditional on it either way, so a stale belief is a CONTENT_CONFLICT.
   */
  expectedFrom?: ContentStatus;
}

export interface TransitionResult {
  from: ContentStatus;
  to: ContentStatus;
  revision: number;
}

/**
 * Applies one action. Call inside a transaction; the row is locked, the change is conditional on
 * the status read, and the timeline and audit rows are written in the same transaction.
 */
export async function transition(tx: DbOrTx, input: TransitionInput): Promise<TransitionResult> {
  const from =
    input.expectedFrom ??
    (
      await tx
        .selectFrom('contents')
        .select('status')
        .where('id', '=', input.contentId)
        .forUpdate()
        .executeTakeFirst()
    )?.status;
  if (!from) throw new AppError('CONTENT_NOT_FOUND', 'No such content', 404, { id: input.contentId });
  const to = nextStatus(from, input.action);
  if (!to) {
    throw new AppError(
      LOCKED_STATUSES.includes(from) && input.action === 'edit' ? 'CONTENT_LOCKED' : 'INVALID_TRANSITION',
      `Cannot ${input.action} content that is ${from}`,
      409,
      { status: from, action: input.action, allowed: allowedActions(from) },
    );
  }
  const updated = await tx
    .updateTable('contents')
    .set({ ...input.set, status: to, updated_at: new Date() })
    .where('id', '=', input.contentId)
    .where('status', '=', from)
    .returning(['revision', 'organisation_id'])
    .executeTakeFirst();
  if (!updated) throw new AppError('CONTENT_CONFLICT', 'The content changed meanwhile; reload it', 409);
  const actorUserId = input.actor.userId;
  const actorRole = input.actor.role === 'system' ? null : input.actor.role;
  await tx
    .insertInto('content_transitions')
    .values({
      content_id: input.contentId,
      action: input.action,
      from_status: from,
      to_status: to,
      revision: updated.revision,
      actor_user_id: actorUserId,
      actor_role: actorRole,
      reason: input.reason ?? null,
    })
    .execute();
  await recordAudit(tx, {
    action: `content.${input.action}`,
    actorKind: !actorUserId
      ? 'system'
      : actorRole && surfaceOf(actorRole) === 'portal'
        ? 'portal_user'
        : 'user',
    actorUserId,
    actorRole,
    targetType: 'content',
    targetId: input.contentId,
    organisationId: updated.organisation_id,
    ip: input.actor.origin?.ip ?? null,
    requestId: input.actor.origin?.requestId ?? null,
    details: { from, to, revision: updated.revision, reason: input.reason ?? null, ...input.details },
  });
  return { from, to, revision: updated.revision };
}

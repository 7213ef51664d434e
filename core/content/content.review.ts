import { recordAudit } from '../audit/audit.repository.js';
import { loadWorkingCalendar } from '../calendar/working-days.js';
import type { Db, DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Role } from '../identity/identity.table.js';
import { can } from '../identity/permissions.js';
import type { Actor } from '../identity/users.service.js';
import {
  auditContent,
  type ContentContext,
  type ContentSummary,
  type ContentView,
  checkMasssendQuota,
  contentRow,
  getContent,
  summary,
  syncPublishJob,
  workflowActor,
} from './content.service.js';
import { allowedActions, SYSTEM_ACTOR, transition } from './content.workflow.js';
import { openSlaRecord, slaWindow } from './sla.js';

/**
 * Review (三审三校): who may review an organisation's content, each step by a different person, and
 * what the last approval does (approve, then schedule at the requested time or as soon as possible
 * with the SLA deadline). Client approvers review in the portal, named backend reviewers here.
 */
/** Is this person one of the organisation's reviewers, and on which surface. */
async function reviewerSurface(
  db: DbOrTx,
  actor: Actor,
  organisationId: string,
): Promise<'backend' | 'portal'> {
  if (actor.role === 'client_approver') {
    const user = await db
      .selectFrom('users')
      .select('organisation_id')
      .where('id', '=', actor.userId)
      .executeTakeFirst();
    if (user?.organisation_id === organisationId) return 'portal';
  } else if (can(actor.role, 'content.review')) {
    const named = await db
      .selectFrom('organisation_reviewers')
      .select('user_id')
      .where('organisation_id', '=', organisationId)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    if (named) return 'backend';
  }
  throw new AppError('NOT_A_REVIEWER', "You are not a reviewer of this organisation's content", 403);
}

export interface ReviewInput {
  decision: 'approved' | 'rejected';
  comment?: string | null | undefined;
  /** The revision the reviewer read; a newer one means the content changed under them. */
  revision?: number | undefined;
}

/**
 * One review step. Each step of a revision is taken by a different person; the last required
 * approval approves the content and schedules it (at its requested time, or as soon as possible
 * with the SLA deadline). A rejection ends the review at once.
 */
export async function reviewContent(
  ctx: ContentContext,
  actor: Actor,
  id: string,
  input: ReviewInput,
  scope: { organisationId?: string | null } = {},
): Promise<ContentView> {
  const r = await contentRow(ctx.db, id, scope.organisationId);
  const surface = await reviewerSurface(ctx.db, actor, r.organisation_id);
  const comment = input.comment?.trim() || null;
  if (input.decision === 'rejected' && !comment)
    throw new AppError('REJECT_REASON_REQUIRED', 'Say why the content is rejected', 422);
  const now = new Date();
  const calendar = await loadWorkingCalendar(ctx.db);
  await ctx.db.transaction().execute(async (tx) => {
    const locked = await tx
      .selectFrom('contents')
      .select(['status', 'revision', 'publish_at', 'created_by'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (locked.status !== 'in_review')
      throw new AppError('INVALID_TRANSITION', `Cannot review content that is ${locked.status}`, 409, {
        status: locked.status,
        action: input.decision === 'approved' ? 'approve' : 'reject',
        allowed: allowedActions(locked.status),
      });
    if (input.revision !== undefined && input.revision !== locked.revision)
      throw new AppError(
        'CONTENT_CONFLICT',
        'The content changed since you opened it; review it again',
        409,
        {
          revision: locked.revision,
        },
      );
    const org = await tx
      .selectFrom('organisations')
      .select(['review_steps', 'allow_self_approval'])
      .where('id', '=', r.organisation_id)
      .executeTakeFirstOrThrow();
    if (!org.allow_self_approval && input.decision === 'approved') {
      const authors = await tx
        .selectFrom('content_revisions')
        .select('created_by')
        .distinct()
        .where('content_id', '=', id)
        .execute();
      const isAuthor =
        locked.created_by === actor.userId || authors.some((a) => a.created_by === actor.userId);
      if (isAuthor)
        throw new AppError(
          'SELF_APPROVAL_FORBIDDEN',
          'Your organisation does not let authors approve their own content',
          403,
        );
    }
    const done = await tx
      .selectFrom('content_reviews')
      .select(['step', 'reviewer_user_id'])
      .where('content_id', '=', id)
      .where('revision', '=', locked.revision)
      .execute();
    if (done.some((d) => d.reviewer_user_id === actor.userId))
      throw new AppError('ALREADY_REVIEWED', 'Each review step needs a different person', 409);
    const step = done.length + 1;
    await tx
      .insertInto('content_reviews')
      .values({
        content_id: id,
        revision: locked.revision,
        step,
        decision: input.decision,
        reviewer_user_id: actor.userId,
        surface,
        comment,
      })
      .execute();
    const who = workflowActor(actor);
    if (input.decision === 'rejected') {
      await transition(tx, {
        contentId: id,
        action: 'reject',
        actor: who,
        reason: comment,
        details: { step },
      });
      return;
    }
    if (step < org.review_steps) {
      await auditContent(tx, actor, 'content.review_step', r, {
        revision: locked.revision,
        step,
        of: org.review_steps,
        comment,
      });
      return;
    }
    await transition(tx, {
      contentId: id,
      action: 'approve',
      actor: who,
      reason: comment,
      set: { approved_revision: locked.revision },
      details: { step },
    });
    // Scheduled at once: at the requested time if it is still ahead, else as soon as possible.
    const asap = !locked.publish_at || locked.publish_at.getTime() <= now.getTime();
    if (asap) await openSlaRecord(tx, id, r.organisation_id, slaWindow(now, calendar));
    try {
      await checkMasssendQuota(tx, id, asap ? now : (locked.publish_at ?? now));
    } catch (err) {
      // Approved, but that day's mass send is taken: the editor merges it or picks another day.
      if (!(err instanceof AppError) || err.code !== 'MASSSEND_QUOTA_USED') throw err;
      await auditContent(tx, actor, 'content.schedule_refused', r, { reason: err.zh ?? err.message });
      return;
    }
    await transition(tx, {
      contentId: id,
      action: 'schedule',
      actor: SYSTEM_ACTOR,
      reason: asap ? '审核通过，尽快发布' : '审核通过，按预定时间发布',
      set: { scheduled_at: asap ? now : locked.publish_at },
      details: { asap },
    });
  });
  await syncPublishJob(ctx, id);
  return getContent(ctx.db, id);
}

/** The portal inbox: the organisation's content waiting for review. */
export async function reviewInbox(db: DbOrTx, organisationId: string): Promise<ContentSummary[]> {
  const rows = await db
    .selectFrom('contents')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'in_review')
    .orderBy('updated_at')
    .execute();
  return rows.map(summary);
}

export async function setReviewSettings(
  db: Db,
  actor: Actor,
  organisationId: string,
  input: {
    reviewSteps?: number | undefined;
    allowSelfApproval?: boolean | undefined;
    reviewerUserIds?: string[] | undefined;
  },
) {
  return db.transaction().execute(async (tx) => {
    const org = await tx
      .selectFrom('organisations')
      .selectAll()
      .where('id', '=', organisationId)
      .executeTakeFirst();
    if (!org) throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 404, { organisationId });
    await tx
      .updateTable('organisations')
      .set({
        ...(input.reviewSteps !== undefined ? { review_steps: input.reviewSteps } : {}),
        ...(input.allowSelfApproval !== undefined ? { allow_self_approval: input.allowSelfApproval } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', organisationId)
      .execute();
    if (input.reviewerUserIds) {
      const users = input.reviewerUserIds.length
        ? await tx
            .selectFrom('users')
            .select(['id', 'role'])
            .where('id', 'in', input.reviewerUserIds)
            .execute()
        : [];
      const bad = input.reviewerUserIds.filter((uid) => {
        const u = users.find((x) => x.id === uid);
        return !u || !can(u.role as Role, 'content.review');
      });
      if (bad.length > 0)
        throw new AppError(
          'REVIEWER_INVALID',
          'Reviewers must be backend users who may review content',
          422,
          {
            userIds: bad,
          },
        );
      await tx.deleteFrom('organisation_reviewers').where('organisation_id', '=', organisationId).execute();
      if (input.reviewerUserIds.length)
        await tx
          .insertInto('organisation_reviewers')
          .values(input.reviewerUserIds.map((user_id) => ({ organisation_id: organisationId, user_id })))
          .execute();
    }
    await recordAudit(tx, {
      action: 'organisation.review_settings',
      actorKind: 'user',
      actorUserId: actor.userId,
      actorRole: actor.role,
      targetType: 'organisation',
      targetId: organisationId,
      organisationId,
      ip: actor.origin.ip,
      requestId: actor.origin.requestId,
      details: { ...input },
    });
    return reviewSettings(tx, organisationId);
  });
}

export async function reviewSettings(db: DbOrTx, organisationId: string) {
  const org = await db
    .selectFrom('organisations')
    .select(['review_steps', 'allow_self_approval'])
    .where('id', '=', organisationId)
    .executeTakeFirst();
  if (!org) throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 404, { organisationId });
  const reviewers = await db
    .selectFrom('organisation_reviewers')
    .innerJoin('users', 'users.id', 'organisation_reviewers.user_id')
    .select(['users.id', 'users.username', 'users.display_name'])
    .where('organisation_reviewers.organisation_id', '=', organisationId)
    .orderBy('users.username')
    .execute();
  return {
    reviewSteps: org.review_steps,
    allowSelfApproval: org.allow_self_approval,
    reviewers: reviewers.map((u) => ({ id: u.id, username: u.username, displayName: u.display_name })),
  };
}

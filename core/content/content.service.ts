import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { SANDBOX_SAFE_DOMAINS } from '../../integrations/platforms.js';
import { recordAudit } from '../audit/audit.repository.js';
import { shanghaiDay } from '../calendar/working-days.js';
import type { Config } from '../config/config.js';
import type { Db, DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import { can } from '../identity/permissions.js';
import type { Actor } from '../identity/users.service.js';
import { existingMediaIds } from '../media/media.service.js';
import { proofreaderFor } from '../proofreading/proofreading.service.js';
import type { ProofFinding } from '../proofreading/proofreading.types.js';
import type { PublishQueue } from '../publishing/publish-queue.js';
import {
  type ArticleInput,
  type BodyReport,
  bodyReport,
  type ContentBody,
  type ContentBodyInput,
  type EditionBody,
  mediaIdsOf,
  normaliseBody,
  proofreadBody,
  submissionProblems,
  titleOf,
} from './content.body.js';
import type { ContentKind, ContentsTable } from './content.table.js';
import {
  allowedActions,
  type ContentAction,
  type ContentStatus,
  LOCKED_STATUSES,
  transition,
  type WorkflowActor,
} from './content.workflow.js';
import { renderPreview } from './preview.js';
import { voidSlaRecord } from './sla.js';

/**
 * Content: WeChat editions and Weibo posts, their revisions, review (三审: 1–3 steps) and schedule.
 * Status changes go through content.workflow.ts; this module decides when to ask for one.
 */
export interface ContentContext {
  db: Db;
  config: Pick<Config, 'content' | 'weiboSafeDomains'>;
  /** Publish jobs follow the schedule; without a queue (or when it fails) the reconciler catches up. */
  publishQueue?: PublishQueue | undefined;
}

/**
 * After a commit, puts the item's publish job in step with Postgres. A queue failure is not the
 * caller's: the row is the truth and the reconciler enqueues due items every minute.
 */
export async function syncPublishJob(
  ctx: ContentContext,
  id: string,
  previousRevision?: number,
): Promise<void> {
  const queue = ctx.publishQueue;
  if (!queue) return;
  const row = await ctx.db
    .selectFrom('contents')
    .select(['status', 'revision', 'scheduled_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return;
  try {
    if (previousRevision !== undefined && previousRevision !== row.revision)
      await queue.remove(id, previousRevision);
    if (row.status === 'scheduled') await queue.replace(id, row.revision, row.scheduled_at ?? new Date());
    else if (['cancelled', 'in_review', 'draft', 'approved'].includes(row.status))
      await queue.remove(id, row.revision);
  } catch {
    // Repaired by the reconciler.
  }
}

/**
 * WeChat subscription accounts may mass-send once a day (their quota): a second send on the same
 * Asia/Shanghai day is refused when it is scheduled, with the suggestion to join that day's edition.
 */
export async function checkMasssendQuota(db: DbOrTx, contentId: string, at: Date): Promise<void> {
  const row = await db
    .selectFrom('contents')
    .innerJoin('accounts', 'accounts.id', 'contents.account_id')
    .select([
      'accounts.id',
      'accounts.platform',
      'accounts.wechat_kind',
      'accounts.publish_mode',
      'accounts.daily_masssend_quota',
    ])
    .where('contents.id', '=', contentId)
    .executeTakeFirstOrThrow();
  if (row.platform !== 'wechat' || row.publish_mode !== 'masssend' || row.wechat_kind !== 'subscription')
    return;
  const day = shanghaiDay(at);
  const taken = await db
    .selectFrom('contents')
    .select(['id', 'title', 'scheduled_at'])
    .where('account_id', '=', row.id)
    .where('id', '!=', contentId)
    .where('status', 'in', ['scheduled', 'publishing', 'published', 'unconfirmed'])
    .where(
      sql<string>`(coalesce(published_at, scheduled_at) at time zone 'Asia/Shanghai')::date::text`,
      '=',
      day,
    )
    .execute();
  if (taken.length >= row.daily_masssend_quota) {
    const first = taken[0];
    throw new AppError(
      'MASSSEND_QUOTA_USED',
      `The subscription account has used its ${row.daily_masssend_quota} mass send(s) on ${day}`,
      409,
      { day, quota: row.daily_masssend_quota, taken: taken.map((t) => ({ id: t.id, title: t.title })) },
      `该订阅号 ${day} 的群发次数已用完（每天 ${row.daily_masssend_quota} 次）${first ? `，当天已排：“${first.title}”` : ''}。请把本文加入当天那次群发（一次最多 8 篇），或改到其他日期。`,
    );
  }
}

type Row = Selectable<ContentsTable>;

export interface ReviewStepView {
  step: number;
  decision: 'approved' | 'rejected';
  reviewerUserId: string | null;
  reviewerName: string | null;
  surface: 'backend' | 'portal';
  comment: string | null;
  at: string;
}

export interface SlaView {
  approvedAt: string;
  workingDay: boolean;
  atRiskAt: string;
  deadline: string;
  publishedAt: string | null;
  outcome: 'pending' | 'met' | 'missed' | 'void';
}

export interface ContentSummary {
  id: string;
  organisationId: string;
  accountId: string;
  kind: ContentKind;
  status: ContentStatus;
  revision: number;
  title: string;
  /** null: as soon as possible after approval. */
  publishAt: string | null;
  scheduledAt: string | null;
  approvedRevision: number | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContentView extends ContentSummary {
  body: ContentBody;
  findings: ProofFinding[];
  report: BodyReport;
  review: { stepsRequired: number; steps: ReviewStepView[] };
  sla: SlaView | null;
  allowedActions: ContentAction[];
}

export function summary(r: Row): ContentSummary {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    accountId: r.account_id,
    kind: r.kind,
    status: r.status,
    revision: r.revision,
    title: r.title,
    publishAt: r.publish_at?.toISOString() ?? null,
    scheduledAt: r.scheduled_at?.toISOString() ?? null,
    approvedRevision: r.approved_revision,
    createdBy: r.created_by,
    updatedBy: r.updated_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export async function contentRow(db: DbOrTx, id: string, organisationId?: string | null): Promise<Row> {
  const r = isUuid(id)
    ? await db.selectFrom('contents').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  // A portal user asking for another organisation's content learns only that it does not exist.
  if (!r || (organisationId && r.organisation_id !== organisationId))
    throw new AppError('CONTENT_NOT_FOUND', 'No such content', 404, { id });
  return r;
}

async function revisionRow(db: DbOrTx, contentId: string, revision: number) {
  return db
    .selectFrom('content_revisions')
    .selectAll()
    .where('content_id', '=', contentId)
    .where('revision', '=', revision)
    .executeTakeFirstOrThrow();
}

export async function getContent(
  db: DbOrTx,
  id: string,
  organisationId?: string | null,
): Promise<ContentView> {
  // One round trip: the row, its current revision, the review steps taken on it and the SLA record.
  const r = isUuid(id)
    ? await db
        .selectFrom('contents as c')
        .innerJoin('content_revisions as v', (j) =>
          j.onRef('v.content_id', '=', 'c.id').onRef('v.revision', '=', 'c.revision'),
        )
        .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
        .leftJoin('sla_records as s', 's.content_id', 'c.id')
        .selectAll('c')
        .select([
          'v.body',
          'v.findings',
          'o.review_steps',
          's.approved_at as sla_approved_at',
          's.working_day as sla_working_day',
          's.at_risk_at as sla_at_risk_at',
          's.deadline as sla_deadline',
          's.published_at as sla_published_at',
          's.outcome as sla_outcome',
          sql<Array<Omit<ReviewStepView, 'at'> & { at: string }>>`(
            select coalesce(jsonb_agg(jsonb_build_object(
              'step', cr.step, 'decision', cr.decision, 'reviewerUserId', cr.reviewer_user_id,
              'reviewerName', u.display_name, 'surface', cr.surface, 'comment', cr.comment, 'at', cr.at
            ) order by cr.step), '[]'::jsonb)
            from content_reviews cr left join users u on u.id = cr.reviewer_user_id
            where cr.content_id = c.id and cr.revision = c.revision)`.as('steps'),
        ])
        .where('c.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!r || (organisationId && r.organisation_id !== organisationId))
    throw new AppError('CONTENT_NOT_FOUND', 'No such content', 404, { id });
  const body = r.body as ContentBody;
  return {
    ...summary(r),
    body,
    findings: r.findings as ProofFinding[],
    report: bodyReport(body),
    review: {
      stepsRequired: r.review_steps,
      steps: r.steps.map((step) => ({ ...step, at: new Date(step.at).toISOString() })),
    },
    sla:
      r.sla_approved_at && r.sla_at_risk_at && r.sla_deadline && r.sla_outcome
        ? {
            approvedAt: r.sla_approved_at.toISOString(),
            workingDay: r.sla_working_day ?? false,
            atRiskAt: r.sla_at_risk_at.toISOString(),
            deadline: r.sla_deadline.toISOString(),
            publishedAt: r.sla_published_at?.toISOString() ?? null,
            outcome: r.sla_outcome,
          }
        : null,
    allowedActions: allowedActions(r.status),
  };
}

export interface ContentQuery {
  organisationId?: string | undefined;
  accountId?: string | undefined;
  status?: ContentStatus[] | undefined;
  /** Calendar range on the planned time (scheduled, else requested); both ends needed together. */
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
}

/** Lists and the content calendar: by organisation, account, status and planned-time range. */
export async function listContents(db: DbOrTx, q: ContentQuery): Promise<ContentSummary[]> {
  if (q.from && q.to && q.from >= q.to)
    throw new AppError('RANGE_INVALID', '`from` must be before `to`', 422, { from: q.from, to: q.to });
  const planned = sql<Date>`coalesce(scheduled_at, publish_at)`;
  let query = db.selectFrom('contents').selectAll().limit(q.limit);
  if (q.organisationId) query = query.where('organisation_id', '=', q.organisationId);
  if (q.accountId) query = query.where('account_id', '=', q.accountId);
  if (q.status?.length) query = query.where('status', 'in', q.status);
  if (q.from) query = query.where(planned, '>=', q.from);
  if (q.to) query = query.where(planned, '<', q.to);
  query =
    q.from || q.to ? query.orderBy(planned).orderBy('id') : query.orderBy('updated_at', 'desc').orderBy('id');
  return (await query.execute()).map(summary);
}

export async function listRevisions(db: DbOrTx, id: string) {
  await contentRow(db, id);
  const rows = await db
    .selectFrom('content_revisions')
    .leftJoin('users', 'users.id', 'content_revisions.created_by')
    .select([
      'content_revisions.revision',
      'content_revisions.created_by',
      'users.display_name',
      'content_revisions.created_at',
      sql<number>`jsonb_array_length(content_revisions.findings)`.as('findings'),
    ])
    .where('content_revisions.content_id', '=', id)
    .orderBy('content_revisions.revision', 'desc')
    .execute();
  return rows.map((r) => ({
    revision: r.revision,
    createdBy: r.created_by,
    createdByName: r.display_name ?? null,
    createdAt: r.created_at.toISOString(),
    findings: Number(r.findings),
  }));
}

export async function getRevision(db: DbOrTx, id: string, revision: number) {
  await contentRow(db, id);
  const r = await db
    .selectFrom('content_revisions')
    .selectAll()
    .where('content_id', '=', id)
    .where('revision', '=', revision)
    .executeTakeFirst();
  if (!r) throw new AppError('REVISION_NOT_FOUND', 'No such revision', 404, { id, revision });
  const body = r.body as ContentBody;
  return {
    revision: r.revision,
    body,
    findings: r.findings as ProofFinding[],
    report: bodyReport(body),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  };
}

/** The timeline: every status change with actor, reason and revision. */
export async function listTransitions(db: DbOrTx, id: string, organisationId?: string | null) {
  await contentRow(db, id, organisationId);
  const rows = await db
    .selectFrom('content_transitions')
    .selectAll()
    .where('content_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map((t) => ({
    action: t.action,
    from: t.from_status,
    to: t.to_status,
    revision: t.revision,
    actorUserId: t.actor_user_id,
    actorRole: t.actor_role,
    reason: t.reason,
    at: t.at.toISOString(),
  }));
}

export function workflowActor(actor: Actor): WorkflowActor {
  return { userId: actor.userId, role: actor.role, origin: actor.origin };
}

export function auditContent(
  db: DbOrTx,
  actor: Actor,
  action: string,
  r: { id: string; organisation_id: string },
  details: Record<string, unknown>,
) {
  return recordAudit(db, {
    action,
    actorKind: 'user',
    actorUserId: actor.userId,
    actorRole: actor.role,
    targetType: 'content',
    targetId: r.id,
    organisationId: r.organisation_id,
    ip: actor.origin.ip,
    requestId: actor.origin.requestId,
    details,
  });
}

/** A requested publish time: in the future and within the configured horizon. */
export function checkPublishTime(at: Date, horizonDays: number, now = new Date()): void {
  if (Number.isNaN(at.getTime())) throw new AppError('SCHEDULE_INVALID', 'Not a valid time', 422);
  if (at.getTime() <= now.getTime())
    throw new AppError('SCHEDULE_IN_PAST', 'The publish time has passed', 422, {
      publishAt: at.toISOString(),
    });
  const horizon = now.getTime() + horizonDays * 86_400_000;
  if (at.getTime() > horizon)
    throw new AppError(
      'SCHEDULE_BEYOND_HORIZON',
      `Content can be scheduled at most ${horizonDays} days ahead`,
      422,
      { publishAt: at.toISOString(), latest: new Date(horizon).toISOString(), horizonDays },
      `发布时间最多可提前 ${horizonDays} 天安排`,
    );
}

interface PreparedBody {
  body: ContentBody;
  findings: ProofFinding[];
}

/** Normalises, checks media references and proofreads a body; nothing is written. */
async function prepareBody(
  db: DbOrTx,
  organisationId: string,
  kind: ContentKind,
  input: ContentBodyInput,
): Promise<PreparedBody> {
  const body = normaliseBody(kind, input);
  const ids = mediaIdsOf(body);
  const known = await existingMediaIds(db, organisationId, ids.filter(isUuid));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0)
    throw new AppError('MEDIA_NOT_FOUND', 'The content refers to images that are not in the library', 422, {
      missing,
    });
  const findings = proofreadBody(await proofreaderFor(db, organisationId), body);
  return { body, findings };
}

export interface CreateContentInput {
  accountId: string;
  body: ContentBodyInput;
  /** Requested publish time; null or absent: as soon as possible after approval. */
  publishAt?: string | null | undefined;
}

export async function createContent(
  ctx: ContentContext,
  actor: Actor,
  input: CreateContentInput,
): Promise<ContentView> {
  const account = isUuid(input.accountId)
    ? await ctx.db
        .selectFrom('accounts')
        .select(['id', 'organisation_id', 'platform', 'status'])
        .where('id', '=', input.accountId)
        .executeTakeFirst()
    : undefined;
  if (!account)
    throw new AppError('ACCOUNT_NOT_FOUND', 'No such account', 422, { accountId: input.accountId });
  if (account.status === 'disabled')
    throw new AppError('ACCOUNT_DISABLED', 'The account is disabled', 409, { accountId: account.id });
  const kind: ContentKind = account.platform === 'wechat' ? 'wechat_edition' : 'weibo_post';
  const publishAt = input.publishAt ? new Date(input.publishAt) : null;
  if (publishAt) checkPublishTime(publishAt, ctx.config.content.scheduleHorizonDays);
  const prepared = await prepareBody(ctx.db, account.organisation_id, kind, input.body);
  const id = await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('contents')
      .values({
        organisation_id: account.organisation_id,
        account_id: account.id,
        kind,
        title: titleOf(prepared.body),
        publish_at: publishAt,
        scheduled_at: null,
        approved_revision: null,
        created_by: actor.userId,
        updated_by: actor.userId,
      })
      .returning(['id', 'organisation_id'])
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('content_revisions')
      .values({
        content_id: row.id,
        revision: 1,
        body: JSON.stringify(prepared.body),
        findings: JSON.stringify(prepared.findings),
        created_by: actor.userId,
      })
      .execute();
    await auditContent(tx, actor, 'content.created', row, { kind, accountId: account.id, revision: 1 });
    return row.id;
  });
  return getContent(ctx.db, id);
}

export interface UpdateContentInput {
  body?: ContentBodyInput | undefined;
  publishAt?: string | null | undefined;
  /** The revision the editor started from; a newer one means someone else saved meanwhile. */
  baseRevision?: number | undefined;
}

/**
 * Saves an edit as a new revision. Approved, scheduled or failed content goes back to review (its
 * approval and SLA no longer hold); content under review restarts its review on the new revision;
 * rejected content returns to draft. Content that is publishing or done cannot be edited.
 */
export async function updateContent(
  ctx: ContentContext,
  actor: Actor,
  id: string,
  input: UpdateContentInput,
): Promise<ContentView> {
  const current = await contentRow(ctx.db, id);
  if (LOCKED_STATUSES.includes(current.status))
    throw new AppError('CONTENT_LOCKED', `Content that is ${current.status} cannot be edited`, 409, {
      status: current.status,
    });
  const publishAt =
    input.publishAt === undefined ? undefined : input.publishAt === null ? null : new Date(input.publishAt);
  if (publishAt) checkPublishTime(publishAt, ctx.config.content.scheduleHorizonDays);
  const prepared = input.body
    ? await prepareBody(ctx.db, current.organisation_id, current.kind, input.body)
    : null;
  await ctx.db.transaction().execute(async (tx) => {
    const locked = await tx
      .selectFrom('contents')
      .select(['status', 'revision'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (input.baseRevision !== undefined && input.baseRevision !== locked.revision)
      throw new AppError('CONTENT_CONFLICT', 'Someone saved a newer revision; reload it first', 409, {
        baseRevision: input.baseRevision,
        revision: locked.revision,
      });
    if (LOCKED_STATUSES.includes(locked.status))
      throw new AppError('CONTENT_LOCKED', `Content that is ${locked.status} cannot be edited`, 409, {
        status: locked.status,
      });
    // A new time for scheduled content is a reschedule, not an edit of what it says.
    if (!prepared && locked.status === 'scheduled' && publishAt !== undefined)
      throw new AppError('USE_RESCHEDULE', 'Scheduled content is moved with reschedule', 409);
    const revision = prepared ? locked.revision + 1 : locked.revision;
    if (prepared)
      await tx
        .insertInto('content_revisions')
        .values({
          content_id: id,
          revision,
          body: JSON.stringify(prepared.body),
          findings: JSON.stringify(prepared.findings),
          created_by: actor.userId,
        })
        .execute();
    const set = {
      revision,
      updated_by: actor.userId,
      ...(prepared ? { title: titleOf(prepared.body) } : {}),
      ...(publishAt !== undefined ? { publish_at: publishAt } : {}),
    };
    if (prepared && locked.status !== 'draft') {
      await transition(tx, {
        contentId: id,
        action: 'edit',
        actor: workflowActor(actor),
        reason: '内容已修改',
        set: { ...set, scheduled_at: null, approved_revision: null },
        details: { revision },
      });
      await voidSlaRecord(tx, id);
    } else {
      await tx
        .updateTable('contents')
        .set({ ...set, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await auditContent(tx, actor, 'content.updated', current, {
        revision,
        ...(publishAt !== undefined ? { publishAt: publishAt?.toISOString() ?? null } : {}),
      });
    }
  });
  await syncPublishJob(ctx, id, current.revision);
  return getContent(ctx.db, id);
}

export type ArticleChange =
  | { op: 'add'; article: ArticleInput; position?: number | undefined }
  | { op: 'replace'; index: number; article: ArticleInput }
  | { op: 'remove'; index: number };

/** Adds, replaces or removes one article of an edition: a new revision like any other edit. */
export async function changeArticle(
  ctx: ContentContext,
  actor: Actor,
  id: string,
  change: ArticleChange,
  baseRevision?: number,
): Promise<ContentView> {
  const r = await contentRow(ctx.db, id);
  if (r.kind !== 'wechat_edition')
    throw new AppError('CONTENT_KIND_MISMATCH', 'Only WeChat editions have articles', 422, { kind: r.kind });
  const body = (await revisionRow(ctx.db, id, r.revision)).body as EditionBody;
  const articles: ArticleInput[] = [...body.articles];
  if (change.op !== 'add' && (change.index < 0 || change.index >= articles.length))
    throw new AppError('ARTICLE_NOT_FOUND', 'No article at that position', 404, {
      index: change.index,
      articles: articles.length,
    });
  if (change.op === 'add') articles.splice(change.position ?? articles.length, 0, change.article);
  else if (change.op === 'replace') articles[change.index] = change.article;
  else {
    if (articles.length === 1)
      throw new AppError('EDITION_NEEDS_ARTICLE', 'An edition keeps at least one article', 422);
    articles.splice(change.index, 1);
  }
  return updateContent(ctx, actor, id, {
    body: { kind: 'wechat_edition', articles },
    baseRevision: baseRevision ?? r.revision,
  });
}

/** Submits for review. Blocking proofreading findings stop it unless an editor overrides with a reason. */
export async function submitContent(
  ctx: ContentContext,
  actor: Actor,
  id: string,
  input: { overrideReason?: string | undefined },
): Promise<ContentView> {
  const r = await contentRow(ctx.db, id);
  const rev = await revisionRow(ctx.db, id, r.revision);
  const body = rev.body as ContentBody;
  // Proofread again: the lists may have changed since the save.
  const findings = proofreadBody(await proofreaderFor(ctx.db, r.organisation_id), body);
  const account = await ctx.db
    .selectFrom('accounts')
    .select(['sandbox', 'status'])
    .where('id', '=', r.account_id)
    .executeTakeFirstOrThrow();
  if (account.status === 'disabled')
    throw new AppError('ACCOUNT_DISABLED', 'The account is disabled', 409, { accountId: r.account_id });
  const problems = submissionProblems(
    body,
    account.sandbox ? SANDBOX_SAFE_DOMAINS : ctx.config.weiboSafeDomains,
  );
  if (problems.length > 0)
    throw new AppError(
      'CONTENT_INCOMPLETE',
      'The content is not ready for review',
      422,
      { problems },
      `内容尚不完整，不能提交审核：${problems.map((p) => p.reason).join('；')}`,
    );
  const blocking = findings.filter((f) => f.severity === 'block');
  const override = input.overrideReason?.trim();
  if (blocking.length > 0 && !override)
    throw new AppError('PROOFREADING_BLOCKED', 'Proofreading found blocking problems', 422, {
      findings: blocking,
    });
  if (blocking.length > 0 && !can(actor.role, 'content.proof_override'))
    throw new AppError('FORBIDDEN', 'Only an editor may override proofreading', 403);
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('content_revisions')
      .set({ findings: JSON.stringify(findings) })
      .where('content_id', '=', id)
      .where('revision', '=', r.revision)
      .execute();
    await transition(tx, {
      contentId: id,
      action: 'submit',
      actor: workflowActor(actor),
      reason: blocking.length > 0 ? `校对放行：${override}` : null,
    });
    if (blocking.length > 0)
      await auditContent(tx, actor, 'content.proof_override', r, {
        revision: r.revision,
        reason: override,
        findings: blocking.map((f) => ({ field: f.field, match: f.match, start: f.start })),
      });
  });
  return getContent(ctx.db, id);
}

export async function withdrawContent(ctx: ContentContext, actor: Actor, id: string): Promise<ContentView> {
  await ctx.db
    .transaction()
    .execute((tx) => transition(tx, { contentId: id, action: 'withdraw', actor: workflowActor(actor) }));
  return getContent(ctx.db, id);
}

export async function cancelContent(
  ctx: ContentContext,
  actor: Actor,
  id: string,
  reason: string,
): Promise<ContentView> {
  await contentRow(ctx.db, id);
  await ctx.db.transaction().execute(async (tx) => {
    await transition(tx, { contentId: id, action: 'cancel', actor: workflowActor(actor), reason });
    await voidSlaRecord(tx, id);
  });
  await syncPublishJob(ctx, id);
  return getContent(ctx.db, id);
}

export interface ScheduleInput {
  /** A time, or null for as soon as possible. */
  publishAt: string | null;
}

/**
 * Schedules approved (or failed) content, or moves scheduled content (`reschedule`). On content
 * not yet approved it records the requested time, used at approval.
 */
export async function scheduleContent(
  ctx: ContentContext,
  actor: Actor,
  id: string,
  input: ScheduleInput,
  action: 'schedule' | 'reschedule',
): Promise<ContentView> {
  const now = new Date();
  const publishAt = input.publishAt ? new Date(input.publishAt) : null;
  if (publishAt) checkPublishTime(publishAt, ctx.config.content.scheduleHorizonDays, now);
  const r = await contentRow(ctx.db, id);
  await ctx.db.transaction().execute(async (tx) => {
    const locked = await tx
      .selectFrom('contents')
      .select('status')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (action === 'schedule' && ['draft', 'in_review', 'rejected'].includes(locked.status)) {
      await tx
        .updateTable('contents')
        .set({ publish_at: publishAt, updated_at: now })
        .where('id', '=', id)
        .execute();
      await auditContent(tx, actor, 'content.publish_time_set', r, {
        publishAt: publishAt?.toISOString() ?? null,
      });
      return;
    }
    await checkMasssendQuota(tx, id, publishAt ?? now);
    await transition(tx, {
      contentId: id,
      action,
      actor: workflowActor(actor),
      set: { publish_at: publishAt, scheduled_at: publishAt ?? now },
      details: { publishAt: publishAt?.toISOString() ?? null },
    });
  });
  await syncPublishJob(ctx, id);
  return getContent(ctx.db, id);
}

/** The follower's view of the current revision (portal and backend reviewers). */
export async function previewContent(
  db: DbOrTx,
  id: string,
  mediaUrl: (mediaId: string) => string,
  organisationId?: string | null,
): Promise<string> {
  const r = await contentRow(db, id, organisationId);
  const rev = await revisionRow(db, id, r.revision);
  const account = await db
    .selectFrom('accounts')
    .select('name')
    .where('id', '=', r.account_id)
    .executeTakeFirstOrThrow();
  return renderPreview({
    body: rev.body as ContentBody,
    accountName: account.name,
    when: r.scheduled_at ?? r.publish_at,
    mediaUrl,
  });
}

/** Whether an image is used by the current revision of a content item (the portal may show only those). */
export async function contentUsesMedia(
  db: DbOrTx,
  id: string,
  mediaId: string,
  organisationId: string,
): Promise<boolean> {
  const r = await contentRow(db, id, organisationId);
  const rev = await revisionRow(db, id, r.revision);
  return mediaIdsOf(rev.body as ContentBody).includes(mediaId.toLowerCase());
}

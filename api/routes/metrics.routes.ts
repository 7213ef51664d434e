import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { Db } from '../../core/db/database.js';
import { AppError } from '../../core/errors.js';
import { KPI_METRICS } from '../../core/kpi/kpi.compute.js';
import {
  createTarget,
  deleteTarget,
  kpiSummary,
  listTargets,
  type TargetInput,
  updateTarget,
} from '../../core/kpi/kpi.service.js';
import type { SummaryCache } from '../../core/metrics/cache.js';
import { applyImport, getImport, previewImport } from '../../core/metrics/imports.service.js';
import { getBackfill, listBackfills, requestBackfill } from '../../core/metrics/ingest.js';
import { metricsSeries, topArticles } from '../../core/metrics/metrics.query.js';
import { actorOf, portalOrganisationOf } from '../plugins/auth.js';
import { authErrors, IdParams, Nullable, Uuid } from '../schemas/identity.schemas.js';

export interface MetricsRoutesContext {
  db: Db;
  cache: SummaryCache;
  /** Hands a backfill to the worker (absent: it waits queued until a worker is attached). */
  enqueueBackfill?: (backfillId: string) => Promise<void>;
  now?: () => number;
}

const Day = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'a calendar day in Asia/Shanghai',
});
const OrgParams = Type.Object({ orgId: Uuid });
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

const Backfill = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  organisationId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  status: Type.Enum(['queued', 'running', 'done', 'failed']),
  doneDays: Type.Integer(),
  totalDays: Type.Integer(),
  percent: Type.Number(),
  through: Nullable(Type.String()),
  rowsWritten: Type.Integer(),
  error: Nullable(Type.String()),
  notes: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
});

const WEEKLY_READS_DEFINITION =
  'weekly_average_reads (周均阅读量): weeks run Monday–Sunday in Asia/Shanghai days; a week counts when all 7 days ' +
  'have a reads figure; weekly reads = the sum of the 7 days’ article page reads (图文页阅读次数 as the platform ' +
  'reports them, getuserread int_page_read_count, all accounts of the target added up); the value is the mean ' +
  'of the counted weeks. The current value uses the last 4 complete weeks; a baseline period uses its own ' +
  'complete weeks (November 2021: 1–28 November).';

const AccountsFilter = Type.Optional(
  Type.String({
    pattern: '^[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36})*$',
    description: 'account ids, comma-separated',
  }),
);
const SeriesQuery = Type.Object(
  {
    from: Day,
    to: Day,
    granularity: Type.Enum(['day', 'week', 'month'], { default: 'week' }),
    accounts: AccountsFilter,
  },
  { additionalProperties: false },
);
const TopArticlesQuery = Type.Object(
  {
    from: Day,
    to: Day,
    accounts: AccountsFilter,
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
  },
  { additionalProperties: false },
);
const TopArticles = Type.Object({
  items: Type.Array(
    Type.Object({
      accountId: Type.String(),
      account: Type.String(),
      title: Type.String(),
      firstDay: Type.String(),
      reads: Type.Integer(),
      readers: Type.Union([Type.Integer(), Type.Null()]),
      shares: Type.Union([Type.Integer(), Type.Null()]),
      likes: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});
const SeriesPoint = Type.Object({
  period: Type.String(),
  followers: Nullable(Type.Number()),
  newFollowers: Nullable(Type.Number()),
  lostFollowers: Nullable(Type.Number()),
  netFollowers: Nullable(Type.Number()),
  reads: Nullable(Type.Number()),
  readers: Nullable(Type.Number()),
  shares: Nullable(Type.Number()),
  articleReads: Nullable(Type.Number()),
  accounts: Type.Integer(),
});
const Series = Type.Object({
  granularity: Type.String(),
  from: Type.String(),
  to: Type.String(),
  accountIds: Type.Array(Type.String()),
  points: Type.Array(SeriesPoint),
});

const Milestone = Type.Object(
  {
    date: Day,
    kind: Type.Enum(['absolute', 'percent']),
    value: Type.Number({
      minimum: 0,
      description: 'absolute value, or percent over the baseline (10 = +10%)',
    }),
    label: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
const Baseline = Type.Union([
  Type.Object({ kind: Type.Literal('period'), from: Day, to: Day }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('value'), value: Type.Number({ minimum: 0 }) },
    { additionalProperties: false },
  ),
]);
const TargetBody = Type.Object(
  {
    accountId: Type.Optional(Nullable(Uuid)),
    metric: Type.Enum([...KPI_METRICS]),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    baseline: Type.Optional(Nullable(Baseline)),
    milestones: Type.Array(Milestone, { minItems: 1, maxItems: 20 }),
    contractStart: Day,
    contractEnd: Day,
  },
  { additionalProperties: false },
);
const Target = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  accountId: Nullable(Type.String()),
  metric: Type.String(),
  kind: Type.Enum(['growth', 'quota']),
  name: Type.String(),
  baseline: Nullable(Type.Unknown()),
  milestones: Type.Array(Type.Unknown()),
  contractStart: Type.String(),
  contractEnd: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
/** The evaluations are documented in core/kpi/kpi.compute.ts; their shape is passed through. */
const KpiSummary = Type.Object({
  organisationId: Type.String(),
  asOf: Type.String(),
  today: Type.String(),
  counts: Type.Object({ on_track: Type.Integer(), at_risk: Type.Integer(), off_track: Type.Integer() }),
  items: Type.Array(Type.Object({ target: Target, growth: Type.Unknown(), quota: Type.Unknown() })),
});
const ImportView = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  filename: Type.String(),
  sha256: Type.String(),
  kind: Type.String(),
  status: Type.String(),
  summary: Type.Unknown(),
  createdAt: Type.String(),
  appliedAt: Nullable(Type.String()),
  expiresAt: Type.String(),
});

const toInput = (b: Static<typeof TargetBody>): TargetInput => ({
  accountId: b.accountId ?? null,
  metric: b.metric as TargetInput['metric'],
  name: b.name,
  baseline: b.baseline ?? null,
  milestones: b.milestones,
  contractStart: b.contractStart,
  contractEnd: b.contractEnd,
});

async function assertOrganisation(db: Db, id: string) {
  const org = await db.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst();
  if (!org) throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 404);
}

/** Served from the summary cache; the organisation is checked when the value is computed. */
const seriesOf = (ctx: MetricsRoutesContext, orgId: string, q: Static<typeof SeriesQuery>) =>
  ctx.cache.get(orgId, `series|${q.from}|${q.to}|${q.granularity}|${q.accounts ?? ''}`, async () => {
    await assertOrganisation(ctx.db, orgId);
    return metricsSeries(ctx.db, orgId, {
      from: q.from,
      to: q.to,
      granularity: q.granularity as 'day' | 'week' | 'month',
      ...(q.accounts ? { accountIds: q.accounts.split(',') } : {}),
    });
  });
const topArticlesOf = (ctx: MetricsRoutesContext, orgId: string, q: Static<typeof TopArticlesQuery>) =>
  ctx.cache.get(orgId, `top|${q.from}|${q.to}|${q.limit}|${q.accounts ?? ''}`, async () => {
    await assertOrganisation(ctx.db, orgId);
    const items = await topArticles(ctx.db, orgId, {
      from: q.from,
      to: q.to,
      limit: q.limit,
      ...(q.accounts ? { accountIds: q.accounts.split(',') } : {}),
    });
    return { items };
  });

const kpiOf = (ctx: MetricsRoutesContext, orgId: string) =>
  ctx.cache.get(orgId, 'kpi', async () => {
    await assertOrganisation(ctx.db, orgId);
    return kpiSummary(ctx.db, orgId, (ctx.now ?? Date.now)());
  });

/** Backend: backfills, series, KPI targets and their summary, manual imports. Mounted at /api. */
export const metricsRoutes: FastifyPluginAsyncTypebox<MetricsRoutesContext> = async (app, ctx) => {
  const kpiCtx = {
    db: ctx.db,
    ...(ctx.now ? { now: ctx.now } : {}),
    onChange: (org: string) => ctx.cache.invalidate(org),
  };
  await app.register(multipart, {
    limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 0, parts: 1, headerPairs: 100 },
    throwFileSizeLimit: true,
  });

  app.post(
    '/accounts/:id/backfill',
    {
      config: { permission: 'metrics.manage' },
      schema: {
        tags: ['metrics'],
        summary:
          'Backfill an account’s figures for a range (split into the platform’s spans; resumable; asking twice starts one)',
        params: IdParams,
        body: Type.Object({ from: Day, to: Day }, { additionalProperties: false }),
        response: { 200: Backfill, 202: Backfill, ...authErrors },
      },
    },
    async (request, reply) => {
      const { backfill, created } = await requestBackfill(
        { db: ctx.db, ...(ctx.now ? { now: ctx.now } : {}) },
        actorOf(request),
        { accountId: request.params.id, ...request.body },
      );
      if (backfill.status !== 'running') await ctx.enqueueBackfill?.(backfill.id);
      reply.status(created ? 202 : 200);
      return backfill;
    },
  );

  app.get(
    '/accounts/:id/backfills',
    {
      config: { permission: 'metrics.read' },
      schema: {
        tags: ['metrics'],
        summary: 'An account’s backfills with their progress, newest first',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Backfill) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listBackfills(ctx.db, request.params.id) }),
  );

  app.get(
    '/accounts/:id/backfills/:backfillId',
    {
      config: { permission: 'metrics.read' },
      schema: {
        tags: ['metrics'],
        summary: 'One backfill’s progress',
        params: Type.Object({ id: Uuid, backfillId: Uuid }),
        response: { 200: Backfill, ...authErrors },
      },
    },
    async (request) => {
      const b = await getBackfill(ctx.db, request.params.backfillId);
      if (!b || b.accountId !== request.params.id)
        throw new AppError('BACKFILL_NOT_FOUND', 'No such backfill', 404);
      return b;
    },
  );

  app.get(
    '/orgs/:orgId/metrics',
    {
      config: { permission: 'metrics.read' },
      schema: {
        tags: ['metrics'],
        summary: 'Figures summed over the organisation’s accounts by day, week (Monday–Sunday) or month',
        params: OrgParams,
        querystring: SeriesQuery,
        response: { 200: Series, ...authErrors },
      },
    },
    async (request) => seriesOf(ctx, request.params.orgId, request.query),
  );

  app.get(
    '/orgs/:orgId/top-articles',
    {
      config: { permission: 'metrics.read' },
      schema: {
        tags: ['metrics'],
        summary: 'The most-read articles over a range (reads in the range, summed per article)',
        params: OrgParams,
        querystring: TopArticlesQuery,
        response: { 200: TopArticles, ...authErrors },
      },
    },
    async (request) => topArticlesOf(ctx, request.params.orgId, request.query),
  );

  app.get(
    '/orgs/:orgId/kpi',
    {
      config: { permission: 'kpi.read' },
      schema: {
        tags: ['kpi'],
        summary:
          'Every KPI target evaluated: current value, percent of target, required weekly growth, forecast, status',
        description: `${WEEKLY_READS_DEFINITION} Forecast: Theil–Sen trend over the last 12 complete weeks. Status on the next milestone: on_track when the forecast covers the way to the target, at_risk from 90%, off_track below.`,
        params: OrgParams,
        response: { 200: KpiSummary, ...authErrors },
      },
    },
    async (request) => kpiOf(ctx, request.params.orgId),
  );

  app.get(
    '/orgs/:orgId/kpi/targets',
    {
      config: { permission: 'kpi.read' },
      schema: {
        tags: ['kpi'],
        summary: 'The organisation’s KPI targets',
        params: OrgParams,
        response: { 200: Type.Object({ items: Type.Array(Target) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listTargets(ctx.db, request.params.orgId) }),
  );

  app.post(
    '/orgs/:orgId/kpi/targets',
    {
      config: { permission: 'kpi.manage' },
      schema: {
        tags: ['kpi'],
        summary:
          'Create a KPI target (growth: baseline and milestones; quota: one absolute milestone = count per period)',
        description: WEEKLY_READS_DEFINITION,
        params: OrgParams,
        body: TargetBody,
        response: { 201: Target, ...authErrors },
      },
    },
    async (request, reply) => {
      await assertOrganisation(ctx.db, request.params.orgId);
      reply.status(201);
      return createTarget(kpiCtx, actorOf(request), request.params.orgId, toInput(request.body));
    },
  );

  app.put(
    '/orgs/:orgId/kpi/targets/:id',
    {
      config: { permission: 'kpi.manage' },
      schema: {
        tags: ['kpi'],
        summary: 'Replace a KPI target',
        params: Type.Object({ orgId: Uuid, id: Uuid }),
        body: TargetBody,
        response: { 200: Target, ...authErrors },
      },
    },
    async (request) =>
      updateTarget(kpiCtx, actorOf(request), request.params.orgId, request.params.id, toInput(request.body)),
  );

  app.delete(
    '/orgs/:orgId/kpi/targets/:id',
    {
      config: { permission: 'kpi.manage' },
      schema: {
        tags: ['kpi'],
        summary: 'Delete a KPI target',
        params: Type.Object({ orgId: Uuid, id: Uuid }),
        response: { 204: Type.Null(), ...authErrors },
      },
    },
    async (request, reply) => {
      await deleteTarget(kpiCtx, actorOf(request), request.params.orgId, request.params.id);
      reply.status(204);
      return null;
    },
  );

  app.post(
    '/orgs/:orgId/metrics/imports',
    {
      config: { permission: 'metrics.manage' },
      schema: {
        tags: ['metrics'],
        summary: 'Upload a CSV or XLSX of figures: checked in full and previewed, nothing stored yet',
        consumes: ['multipart/form-data'],
        params: OrgParams,
        response: {
          201: ImportView,
          ...authErrors,
          413: { $ref: 'ErrorResponse#' },
          415: { $ref: 'ErrorResponse#' },
        },
      },
    },
    async (request, reply) => {
      await assertOrganisation(ctx.db, request.params.orgId);
      if (!request.isMultipart())
        throw new AppError('IMPORT_NOT_MULTIPART', 'Upload the file as multipart/form-data', 415);
      let file: { filename: string; bytes: Buffer } | undefined;
      try {
        const part = await request.file();
        if (part) file = { filename: part.filename, bytes: await part.toBuffer() };
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new AppError('PAYLOAD_TOO_LARGE', `At most ${MAX_IMPORT_BYTES} bytes`, 413);
        throw err;
      }
      if (!file) throw new AppError('IMPORT_MISSING_FILE', 'The request holds no file', 422);
      reply.status(201);
      return previewImport(
        { db: ctx.db, ...(ctx.now ? { now: ctx.now } : {}) },
        actorOf(request),
        request.params.orgId,
        file,
      );
    },
  );

  app.get(
    '/orgs/:orgId/metrics/imports/:id',
    {
      config: { permission: 'metrics.read' },
      schema: {
        tags: ['metrics'],
        summary: 'An import and its preview',
        params: Type.Object({ orgId: Uuid, id: Uuid }),
        response: { 200: ImportView, ...authErrors },
      },
    },
    async (request) => getImport({ db: ctx.db }, request.params.orgId, request.params.id),
  );

  app.post(
    '/orgs/:orgId/metrics/imports/:id/apply',
    {
      config: { permission: 'metrics.manage' },
      schema: {
        tags: ['metrics'],
        summary: 'Apply a previewed import: all rows in one transaction, or none',
        params: Type.Object({ orgId: Uuid, id: Uuid }),
        response: { 200: ImportView, ...authErrors },
      },
    },
    async (request) => applyImport(kpiCtx, actorOf(request), request.params.orgId, request.params.id),
  );
};

/** Portal: the same summaries, for the signed-in client's own organisation only. Mounted at /portal/api. */
export const portalMetricsRoutes: FastifyPluginAsyncTypebox<MetricsRoutesContext> = async (app, ctx) => {
  const orgOf = portalOrganisationOf;
  app.get(
    '/kpi',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags: ['portal'],
        summary: 'Your organisation’s KPI summary',
        description: WEEKLY_READS_DEFINITION,
        response: { 200: KpiSummary, ...authErrors },
      },
    },
    async (request) => kpiOf(ctx, orgOf(request)),
  );
  app.get(
    '/metrics',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags: ['portal'],
        summary: 'Your organisation’s figures by day, week or month',
        querystring: SeriesQuery,
        response: { 200: Series, ...authErrors },
      },
    },
    async (request) => seriesOf(ctx, orgOf(request), request.query),
  );
  app.get(
    '/top-articles',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags: ['portal'],
        summary: 'Your organisation’s most-read articles over a range',
        querystring: TopArticlesQuery,
        response: { 200: TopArticles, ...authErrors },
      },
    },
    async (request) => topArticlesOf(ctx, orgOf(request), request.query),
  );
};

import { sql } from 'kysely';
import {
  type AccountRef,
  type CollectContext,
  type CollectedMetrics,
  type MetricDataset,
  type PlatformClient,
  PlatformError,
} from '../../integrations/platform.js';
import { recordActorAudit } from '../audit/audit.repository.js';
import { addDays, checkRange, daysInclusive } from '../calendar/days.js';
import { shanghaiDay } from '../calendar/working-days.js';
import type { Db, DbOrTx } from '../db/database.js';
import { AppError, errorMessage } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import type { Logger } from '../logger.js';
import { type WriteResult, writeMetrics } from './metrics.store.js';

/**
 * Metrics ingestion: the daily pull of yesterday's figures (one job per account, data set and day)
 * and backfills of a range (windows of the data set's span, each written with its checkpoint in one
 * transaction, so an interrupted backfill resumes where it stopped and a repeated one changes nothing).
 */

export interface MetricsDeps {
  db: Db;
  platformFor: (account: AccountRef) => PlatformClient;
  logger: Logger;
  now?: () => number;
  /** Waits for a rate limit inside a backfill (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
  /** Called after rows of an organisation changed (cache invalidation). */
  onWrite?: (organisationId: string) => Promise<void>;
}

const DAY_MS = 86_400_000;
/** WeChat keeps datacube data from this day on ("接口侧数据存储始于2014-12-01"). */
export const EARLIEST_METRICS_DAY = '2014-12-01';
/** A backfill covers at most this many days in one request. */
export const MAX_BACKFILL_DAYS = 3 * 366;
/** A running backfill that wrote nothing for this long was interrupted; another runner may take it over. */
const STALE_RUN_MS = 10 * 60_000;
/** Rate-limit waits inside one backfill window before it gives up (the next run resumes). */
const MAX_RATE_WAITS = 5;

/** The Asia/Shanghai day of an instant (ms). */
export const dayOf = (at: number) => shanghaiDay(new Date(at));

export interface IngestAccount {
  id: string;
  organisationId: string;
  ref: AccountRef;
  status: string;
}

export async function loadAccount(db: DbOrTx, accountId: string): Promise<IngestAccount | null> {
  const a = await db
    .selectFrom('accounts')
    .select(['id', 'organisation_id', 'platform', 'external_id', 'sandbox', 'status'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!a) return null;
  return {
    id: a.id,
    organisationId: a.organisation_id,
    status: a.status,
    ref: { accountId: a.id, platform: a.platform, externalId: a.external_id, sandbox: a.sandbox },
  };
}

/**
 * What a collection needs from our records: the posts we published in the last 30 days (Weibo counts)
 * and, to link article rows to our content, each published item's platform ids.
 */
async function ourPublications(db: DbOrTx, accountId: string, now: number) {
  const rows = await db
    .selectFrom('contents')
    .select([
      'id',
      'title',
      'published_at',
      sql<string | null>`progress->>'msgDataId'`.as('msg_data_id'),
      sql<string | null>`progress->>'postId'`.as('post_id'),
    ])
    .where('account_id', '=', accountId)
    .where('status', '=', 'published')
    .execute();
  const byExternal = new Map<string, string>();
  for (const r of rows) {
    if (r.msg_data_id) byExternal.set(r.msg_data_id, r.id);
    if (r.post_id) byExternal.set(r.post_id, r.id);
  }
  const context: CollectContext = {
    published: rows
      .filter((r) => r.post_id && r.published_at && r.published_at.getTime() >= now - 30 * DAY_MS)
      .map((r) => ({ externalId: r.post_id as string, title: r.title, publishedAt: r.published_at as Date })),
  };
  // datacube msgid is "<msg_data_id>_<index>"; a Weibo status id is used as it is.
  const contentOf = (externalArticleId: string) =>
    byExternal.get(externalArticleId) ?? byExternal.get(externalArticleId.split('_')[0] ?? '') ?? null;
  return { context, contentOf };
}

/** Collects one data set for [from, to], waiting out rate limits the platform announces. */
async function collect(
  deps: MetricsDeps,
  account: IngestAccount,
  dataset: string,
  from: string,
  to: string,
  context: CollectContext,
): Promise<CollectedMetrics> {
  const sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  for (let waits = 0; ; waits++) {
    try {
      return await deps.platformFor(account.ref).collectMetrics(account.ref, dataset, from, to, context);
    } catch (err) {
      if (!(err instanceof PlatformError) || err.kind !== 'rate_limited' || waits >= MAX_RATE_WAITS)
        throw err;
      await sleep(err.detail.retryAfterMs ?? 60_000);
    }
  }
}

/** Pulls one data set of one account for [from, to] and stores it. Used by the daily job. */
export async function ingest(
  deps: MetricsDeps,
  accountId: string,
  dataset: string,
  from: string,
  to = from,
): Promise<WriteResult & { notes: string[] }> {
  const account = await loadAccount(deps.db, accountId);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', 'No such account', 404);
  const now = (deps.now ?? Date.now)();
  const { context, contentOf } = await ourPublications(deps.db, accountId, now);
  const collected = await collect(deps, account, dataset, from, to, context);
  const written = await deps.db
    .transaction()
    .execute((tx) => writeMetrics(tx, accountId, { ...collected, contentOf }));
  await deps.onWrite?.(account.organisationId);
  return { ...written, notes: collected.notes };
}

/** The daily plan: for every active account, each of its platform's data sets, for yesterday. */
export async function dailyPlan(
  deps: Pick<MetricsDeps, 'db' | 'platformFor'>,
  date: string,
): Promise<Array<{ accountId: string; dataset: string; date: string }>> {
  const accounts = await deps.db
    .selectFrom('accounts')
    .select(['id', 'platform', 'external_id', 'sandbox'])
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  return accounts.flatMap((a) => {
    const ref: AccountRef = {
      accountId: a.id,
      platform: a.platform,
      externalId: a.external_id,
      sandbox: a.sandbox,
    };
    return deps
      .platformFor(ref)
      .metricDatasets(ref)
      .map((d) => ({ accountId: a.id, dataset: d.name, date }));
  });
}

// ---------------------------------------------------------------------------------------------------
// Backfills

export interface BackfillView {
  id: string;
  accountId: string;
  organisationId: string;
  from: string;
  to: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  /** Days stored so far, of all days. */
  doneDays: number;
  totalDays: number;
  percent: number;
  /** The last day stored (all data sets), or null before the first window. */
  through: string | null;
  rowsWritten: number;
  error: string | null;
  notes: string[];
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

type BackfillRow = Awaited<ReturnType<typeof selectBackfill>>;
function selectBackfill(db: DbOrTx, id: string) {
  return db.selectFrom('metric_backfills').selectAll().where('id', '=', id).executeTakeFirst();
}

function backfillView(r: NonNullable<BackfillRow>): BackfillView {
  return {
    id: r.id,
    accountId: r.account_id,
    organisationId: r.organisation_id,
    from: r.from_date,
    to: r.to_date,
    status: r.status,
    doneDays: r.done_units,
    totalDays: r.total_units,
    percent: r.total_units === 0 ? 100 : Math.round((r.done_units / r.total_units) * 1000) / 10,
    through: r.checkpoint.through ?? null,
    rowsWritten: Number(r.rows_written),
    error: r.error,
    notes: r.notes,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

export async function getBackfill(db: DbOrTx, id: string): Promise<BackfillView | null> {
  const r = await selectBackfill(db, id);
  return r ? backfillView(r) : null;
}

export async function listBackfills(db: DbOrTx, accountId: string): Promise<BackfillView[]> {
  const rows = await db
    .selectFrom('metric_backfills')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
  return rows.map(backfillView);
}

/**
 * Checks a requested range: real days, not reversed, at most MAX_BACKFILL_DAYS, not before 2014-12-01,
 * ending by yesterday (T+1).
 */
export function checkMetricsRange(from: string, to: string, now: number, maxDays = MAX_BACKFILL_DAYS): void {
  checkRange(from, to, { maxDays });
  const yesterday = dayOf(now - DAY_MS);
  if (to > yesterday)
    throw new AppError(
      'RANGE_NOT_FINAL',
      `data for ${to} are not available before the next day`,
      422,
      { to, latest: yesterday },
      `平台数据次日才可获取（T+1）：最晚可取到 ${yesterday}。`,
    );
  if (from < EARLIEST_METRICS_DAY)
    throw new AppError(
      'RANGE_TOO_EARLY',
      `platform data start on ${EARLIEST_METRICS_DAY}`,
      422,
      { from, earliest: EARLIEST_METRICS_DAY },
      `平台数据从 ${EARLIEST_METRICS_DAY} 起才有。`,
    );
}

/**
 * Creates a backfill, or returns the unfinished one for the same account and range (so asking twice
 * starts one). Audited.
 */
export async function requestBackfill(
  deps: Pick<MetricsDeps, 'db' | 'now'>,
  actor: Actor | null,
  input: { accountId: string; from: string; to: string },
): Promise<{ backfill: BackfillView; created: boolean }> {
  checkMetricsRange(input.from, input.to, (deps.now ?? Date.now)());
  return deps.db.transaction().execute(async (tx) => {
    const account = await loadAccount(tx, input.accountId);
    if (!account) throw new AppError('ACCOUNT_NOT_FOUND', 'No such account', 404);
    // One request at a time per account: the lock makes "find unfinished, else create" atomic.
    await sql`select pg_advisory_xact_lock(hashtext(${`backfill:${input.accountId}`}))`.execute(tx);
    const existing = await tx
      .selectFrom('metric_backfills')
      .selectAll()
      .where('account_id', '=', input.accountId)
      .where('from_date', '=', input.from)
      .where('to_date', '=', input.to)
      .where('status', '!=', 'done')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (existing) return { backfill: backfillView(existing), created: false };
    const r = await tx
      .insertInto('metric_backfills')
      .values({
        organisation_id: account.organisationId,
        account_id: input.accountId,
        from_date: input.from,
        to_date: input.to,
        total_units: daysInclusive(input.from, input.to),
        created_by: actor?.userId ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordActorAudit(tx, actor, {
      action: 'metrics.backfill_requested',
      targetType: 'account',
      targetId: input.accountId,
      organisationId: account.organisationId,
      details: { backfillId: r.id, from: input.from, to: input.to },
    });
    return { backfill: backfillView(r), created: true };
  });
}

/**
 * Runs a backfill from its checkpoint to the end. Each window (the data sets' span) is collected for
 * every data set with history, then written together with the new checkpoint in one transaction.
 * Returns null when another runner holds it (running and not stale).
 */
export async function runBackfill(
  deps: MetricsDeps,
  backfillId: string,
  onProgress?: (view: BackfillView) => void,
): Promise<BackfillView | null> {
  const claimed = await deps.db
    .updateTable('metric_backfills')
    .set({ status: 'running', error: null, updated_at: new Date() })
    .where('id', '=', backfillId)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['queued', 'failed']),
        eb.and([eb('status', '=', 'running'), eb('updated_at', '<', new Date(Date.now() - STALE_RUN_MS))]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
  if (!claimed) {
    const current = await getBackfill(deps.db, backfillId);
    if (!current) throw new AppError('BACKFILL_NOT_FOUND', 'No such backfill', 404);
    return current.status === 'done' ? current : null;
  }
  const account = await loadAccount(deps.db, claimed.account_id);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', 'No such account', 404);
  const datasets = deps.platformFor(account.ref).metricDatasets(account.ref);
  const history = datasets.filter((d) => d.history);
  const span = Math.min(...history.map((d) => d.span), 42);
  const notes = new Set(claimed.notes);
  for (const d of datasets.filter((x) => !x.history)) notes.add(noHistoryNote(account.ref.platform, d));
  const now = (deps.now ?? Date.now)();
  const { context, contentOf } = await ourPublications(deps.db, account.id, now);

  let through = claimed.checkpoint.through ?? null;
  let view = backfillView(claimed);
  onProgress?.(view);
  try {
    let start = through ? addDays(through, 1) : claimed.from_date;
    while (start <= claimed.to_date && history.length > 0) {
      const end = [addDays(start, span - 1), claimed.to_date].sort()[0] as string;
      const batch: CollectedMetrics = { accountDays: [], articleDays: [], notes: [] };
      for (const d of history) {
        const c = await collect(deps, account, d.name, start, end, context);
        batch.accountDays.push(...c.accountDays);
        batch.articleDays.push(...c.articleDays);
        for (const n of c.notes) notes.add(n);
      }
      const done = daysInclusive(claimed.from_date, end);
      const row = await deps.db.transaction().execute(async (tx) => {
        const w = await writeMetrics(tx, account.id, { ...batch, contentOf });
        return tx
          .updateTable('metric_backfills')
          .set({
            checkpoint: JSON.stringify({ through: end }),
            done_units: done,
            rows_written: sql<number>`rows_written + ${w.accountRows + w.articleRows}`,
            notes: JSON.stringify([...notes]),
            updated_at: new Date(),
          })
          .where('id', '=', backfillId)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      through = end;
      view = backfillView(row);
      onProgress?.(view);
      start = addDays(end, 1);
    }
    const finished = await deps.db
      .updateTable('metric_backfills')
      .set({
        status: 'done',
        done_units: claimed.total_units,
        notes: JSON.stringify([...notes]),
        finished_at: new Date(),
        updated_at: new Date(),
      })
      .where('id', '=', backfillId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.onWrite?.(account.organisationId);
    view = backfillView(finished);
    onProgress?.(view);
    return view;
  } catch (err) {
    const reason =
      err instanceof PlatformError ? (err.detail.editorMessage ?? err.message) : errorMessage(err);
    deps.logger.warn(
      { backfillId, through, err: errorMessage(err) },
      'backfill stopped; it resumes from its checkpoint',
    );
    const failed = await deps.db
      .updateTable('metric_backfills')
      .set({ status: 'failed', error: reason, updated_at: new Date() })
      .where('id', '=', backfillId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.onWrite?.(account.organisationId);
    onProgress?.(backfillView(failed));
    throw err;
  }
}

function noHistoryNote(platform: string, d: MetricDataset): string {
  return `${platform === 'weibo' ? '微博' : '平台'}的「${d.name}」数据没有历史：补采无法补齐过去，只能从接入起每天记录。`;
}

// ---------------------------------------------------------------------------------------------------
// Data gaps

/**
 * Active accounts whose newest stored day is more than 2 days before yesterday (or that have no day
 * at all and exist for more than 3 days): the daily ingestion is not reaching them.
 */
export async function findDataGaps(
  db: DbOrTx,
  now: number,
): Promise<Array<{ accountId: string; organisationId: string; name: string; lastDay: string | null }>> {
  const yesterday = dayOf(now - DAY_MS);
  const cutoff = addDays(yesterday, -2);
  const rows = await sql<{
    id: string;
    organisation_id: string;
    name: string;
    last_day: string | null;
    created_at: Date;
  }>`
    select a.id, a.organisation_id, a.name, a.created_at,
           (select max(d.date)::text from metric_account_daily d where d.account_id = a.id) as last_day
    from accounts a where a.status = 'active'`.execute(db);
  return rows.rows
    .filter((r) => (r.last_day ? r.last_day < cutoff : r.created_at.getTime() < now - 3 * DAY_MS))
    .map((r) => ({ accountId: r.id, organisationId: r.organisation_id, name: r.name, lastDay: r.last_day }));
}

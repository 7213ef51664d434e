import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DelayedError, type Job } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../core/calendar/days.js';
import type { Db } from '../../core/db/database.js';
import {
  dailyPlan,
  dayOf,
  findDataGaps,
  ingest,
  type MetricsDeps,
  requestBackfill,
  runBackfill,
} from '../../core/metrics/ingest.js';
import { writeMetrics } from '../../core/metrics/metrics.store.js';
import { keyringFromKeys } from '../../core/secrets/keyring.js';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import { PlatformError } from '../../integrations/platform.js';
import { createPlatformClients } from '../../integrations/platforms.js';
import type {
  MetricsDailyPayload,
  MetricsGapCheckPayload,
  MetricsIngestPayload,
} from '../../workers/jobs.js';
import {
  metricsDailyProcessor,
  metricsGapCheckProcessor,
  metricsIngestProcessor,
} from '../../workers/metrics.worker.js';
import { closeQueues, createQueues } from '../../workers/queues.js';
import {
  clearPrefix,
  createMigratedDatabase,
  insertWechatAccount,
  silentLogger,
  uniqueName,
} from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

const SECRET = 'metrics-ingest-secret-0123456789ab';
const WEIBO_TOKEN = 'weibo-token-metrics';
const EXAMPLES = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../fixtures/reference-examples.json'), 'utf8'),
) as Record<string, string>;
const yesterday = () => dayOf(Date.now() - 86_400_000);

describe('metrics ingestion against the emulator (real HTTP, PostgreSQL)', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let redis: Redis;
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let db: Db;
  let deps: MetricsDeps;
  let orgId: string;
  const prefix = uniqueName('t-metrics').toLowerCase();
  const serve = (name: string, endpoint: string) =>
    emu.state.knobs.canned.push({
      path: `/datacube/${endpoint}`,
      status: 200,
      body: EXAMPLES[name] as string,
    });

  const addWechat = async (appid: string, historyArticlesUntil: string | null = null) => {
    emu.state.addWechatApp({ appid, secret: SECRET, historyArticlesUntil });
    return insertWechatAccount(db, orgId, `公众号 ${appid}`, appid);
  };
  const count = async (table: 'metric_account_daily' | 'metric_article_daily', accountId: string) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('account_id', '=', accountId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    emu = await startEmulator();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    database = await createMigratedDatabase();
    db = database.db;
    const org = await db
      .insertInto('organisations')
      .values({ slug: 'metrics-org', name: '省体彩中心' })
      .returning('id')
      .executeTakeFirstOrThrow();
    orgId = org.id;
    const platforms = createPlatformClients({
      redis,
      redisPrefix: prefix,
      wechatApiBase: emu.url,
      weiboApiBase: emu.url,
      weiboSafeDomains: ['example.gov.cn'],
      sandboxBase: null,
      secretOf: async (platform) => (platform === 'weibo' ? WEIBO_TOKEN : SECRET),
    });
    deps = { db, platformFor: platforms.platformFor, logger: silentLogger, sleep: async () => undefined };
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
    await database.drop();
  });

  it('stores the official example responses as documented (sources, totals, reads, shares, articles)', async () => {
    const id = await addWechat('wx_examples');
    serve('wechat.datacube_getusersummary', 'getusersummary');
    serve('wechat.datacube_getusercumulate', 'getusercumulate');
    await ingest(deps, id, 'followers', '2014-12-07');
    serve('wechat.datacube_getuserread', 'getuserread');
    serve('wechat.datacube_getusershare', 'getusershare');
    await ingest(deps, id, 'reads', '2014-12-07');
    // Several sources on one day (community example), and a cumulate row for another day (ignored).
    serve('wechat.datacube_getusersummary_sources', 'getusersummary');
    serve('wechat.datacube_getusercumulate_2023', 'getusercumulate');
    await ingest(deps, id, 'followers', '2021-09-01');
    serve('wechat.datacube_getarticlesummary', 'getarticlesummary');
    await ingest(deps, id, 'articles', '2014-12-08');
    expect(emu.state.knobs.canned).toEqual([]);

    const days = await db
      .selectFrom('metric_account_daily')
      .selectAll()
      .where('account_id', '=', id)
      .orderBy('date')
      .execute();
    expect(
      days.map((d) => [d.date, d.followers, d.new_followers, d.lost_followers, d.reads, d.readers, d.shares]),
    ).toEqual([
      // getusershare: 207 + 23 shares over two scenes; getuserread: the page reads and readers.
      ['2014-12-07', 1217056, 0, 0, 48796, 45524, 230],
      // 3 + 6 + 3 + 149 new, 5 + 1 + 0 + 1 lost; no cumulate row for the day.
      ['2021-09-01', null, 161, 7, null, null, null],
    ]);
    expect(days[1]?.new_by_source).toEqual({ '0': 3, '1': 6, '17': 3, '30': 149 });
    const article = await db
      .selectFrom('metric_article_daily')
      .selectAll()
      .where('account_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(article).toMatchObject({
      external_article_id: '10000050_1',
      date: '2014-12-08',
      title: '12月27日 DiLi日报',
      reads: 25615,
      shares: 994,
      favourites: 3,
    });
  });

  it('backfills 100 days in allowed spans, resumes after a failure from its checkpoint, and a second run changes nothing', async () => {
    const to = yesterday();
    const from = addDays(to, -99);
    const id = await addWechat('wx_backfill', to);
    const { backfill, created } = await requestBackfill(deps, null, { accountId: id, from, to });
    expect(created).toBe(true);
    // Asking again while it is unfinished returns the same backfill.
    const again = await requestBackfill(deps, null, { accountId: id, from, to });
    expect(again).toMatchObject({ created: false, backfill: { id: backfill.id } });

    // The platform fails (not a rate limit) in the second window: the backfill stops with a reason.
    const before = emu.state.stats.requests;
    let calls = 0;
    const failing: MetricsDeps = {
      ...deps,
      platformFor: (a) => {
        const p = deps.platformFor(a);
        return {
          ...p,
          metricDatasets: (r) => p.metricDatasets(r),
          collectMetrics: (...args) => {
            calls++;
            if (calls === 5) throw new Error('connection reset');
            return p.collectMetrics(...args);
          },
        };
      },
    };
    const progress: number[] = [];
    await expect(runBackfill(failing, backfill.id, (v) => progress.push(v.percent))).rejects.toThrow(
      'connection reset',
    );
    const stopped = await db
      .selectFrom('metric_backfills')
      .selectAll()
      .where('id', '=', backfill.id)
      .executeTakeFirstOrThrow();
    expect(stopped.status).toBe('failed');
    expect(stopped.error).toBe('connection reset');
    // One window of 42 days done, written with its checkpoint.
    expect(stopped.checkpoint).toEqual({ through: addDays(from, 41) });
    expect(await count('metric_account_daily', id)).toBe(42);

    const done = await runBackfill(deps, backfill.id, (v) => progress.push(v.percent));
    expect(done).toMatchObject({ status: 'done', percent: 100, doneDays: 100, through: to });
    expect(progress.at(-1)).toBe(100);
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
    expect(await count('metric_account_daily', id)).toBe(100);
    const articles = await count('metric_article_daily', id);
    expect(articles).toBeGreaterThanOrEqual(100);

    // Calls: the resumed run started after the checkpoint (58 days), not from the beginning.
    // followers: summary + cumulate per 7 days; reads: getuserread per 3 days + getusershare per 7 days;
    // articles: getarticlesummary + getarticleread + getarticleshare per day (plus one token).
    const perDays = (n: number) => 2 * Math.ceil(n / 7) + Math.ceil(n / 3) + Math.ceil(n / 7);
    const articleCalls = (fromDay: string, n: number) =>
      Array.from({ length: n }, (_, i) => addDays(fromDay, i)).reduce(
        (sum, d) => sum + (d >= '2025-11-01' ? 3 : 2),
        0,
      );
    // The first run also fetched the second window's followers (collect 4) before collect 5 failed.
    const firstRun = perDays(42) + articleCalls(from, 42) + 2 * Math.ceil(42 / 7);
    const secondRun = perDays(58) + articleCalls(addDays(from, 42), 58);
    expect(emu.state.stats.requests - before).toBe(firstRun + secondRun + 1);

    // Followers follow net growth day by day; totals in the rollups equal the sums of the raw rows.
    const rows = await db
      .selectFrom('metric_account_daily')
      .selectAll()
      .where('account_id', '=', id)
      .orderBy('date')
      .execute();
    for (let i = 1; i < rows.length; i++) {
      const r = rows[i] as (typeof rows)[number];
      const p = rows[i - 1] as (typeof rows)[number];
      expect((r.followers ?? 0) - (p.followers ?? 0)).toBe((r.new_followers ?? 0) - (r.lost_followers ?? 0));
    }
    await expectRollupsMatch(db, id);

    // A second backfill of the same range: a new one (the first is done), and nothing changes.
    const snapshot = await db
      .selectFrom('metric_account_daily')
      .select(['date', 'followers', 'reads'])
      .where('account_id', '=', id)
      .orderBy('date')
      .execute();
    const second = await requestBackfill(deps, null, { accountId: id, from, to });
    expect(second.created).toBe(true);
    await runBackfill(deps, second.backfill.id);
    expect(await count('metric_account_daily', id)).toBe(100);
    expect(await count('metric_article_daily', id)).toBe(articles);
    expect(
      await db
        .selectFrom('metric_account_daily')
        .select(['date', 'followers', 'reads'])
        .where('account_id', '=', id)
        .orderBy('date')
        .execute(),
    ).toEqual(snapshot);
  });

  it('refuses reversed ranges, ranges beyond T+1, impossible dates and ranges before 2014-12-01', async () => {
    const id = await addWechat('wx_ranges');
    const ask = (from: string, to: string) => requestBackfill(deps, null, { accountId: id, from, to });
    await expect(ask('2026-03-10', '2026-03-01')).rejects.toMatchObject({
      code: 'RANGE_INVALID',
      status: 422,
    });
    await expect(ask(yesterday(), dayOf(Date.now()))).rejects.toMatchObject({
      code: 'RANGE_NOT_FINAL',
    });
    await expect(ask('2026-02-30', '2026-03-01')).rejects.toMatchObject({
      code: 'INVALID_DATE',
      details: { field: 'from' },
    });
    await expect(ask('2014-11-30', '2014-12-05')).rejects.toMatchObject({ code: 'RANGE_TOO_EARLY' });
    await expect(ask('2020-01-01', '2024-01-01')).rejects.toMatchObject({ code: 'RANGE_TOO_LONG' });
    expect(await count('metric_account_daily', id)).toBe(0);
  });

  it('plans one job per active account and data set; Weibo records snapshots under yesterday', async () => {
    const uid = '5900000001';
    emu.weibo.users.set(uid, { uid, screenName: '体彩微博', followers: 8_123, statuses: 0 });
    emu.weibo.tokens.set(WEIBO_TOKEN, { uid, expiresAt: Date.now() + 30 * 86_400_000 });
    const weibo = await db
      .insertInto('accounts')
      .values({ organisation_id: orgId, platform: 'weibo', name: '体彩微博', external_id: uid })
      .returning('id')
      .executeTakeFirstOrThrow();
    const plan = await dailyPlan(deps, yesterday());
    expect(plan.filter((p) => p.accountId === weibo.id).map((p) => p.dataset)).toEqual([
      'followers',
      'posts',
    ]);
    const wechatJobs = plan.filter((p) => p.accountId !== weibo.id);
    expect(new Set(wechatJobs.map((p) => p.dataset))).toEqual(new Set(['followers', 'reads', 'articles']));
    await ingest(deps, weibo.id, 'followers', yesterday());
    const row = await db
      .selectFrom('metric_account_daily')
      .selectAll()
      .where('account_id', '=', weibo.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ date: yesterday(), followers: 8_123, reads: null });
    // A past day cannot be had from Weibo: a note, no row.
    const past = await ingest(deps, weibo.id, 'followers', addDays(yesterday(), -10));
    expect(past.accountRows).toBe(0);
    expect(past.notes[0]).toMatch(/微博不提供历史粉丝数/);
  });

  it('finds accounts without data for more than 2 days', async () => {
    const stale = await addWechat('wx_stale');
    const fresh = await addWechat('wx_fresh');
    await writeMetrics(db, stale, {
      accountDays: [{ date: addDays(yesterday(), -3), followers: 10 }],
      articleDays: [],
    });
    await writeMetrics(db, fresh, {
      accountDays: [{ date: addDays(yesterday(), -2), followers: 10 }],
      articleDays: [],
    });
    const gaps = await findDataGaps(db, Date.now());
    expect(gaps.find((g) => g.accountId === stale)).toMatchObject({ lastDay: addDays(yesterday(), -3) });
    expect(gaps.find((g) => g.accountId === fresh)).toBeUndefined();
  });

  it('the daily job enqueues one job per account, data set and day, however often it runs; a gap raises one alert', async () => {
    const queues = createQueues(redis, `${prefix}-q`, silentLogger);
    try {
      const daily = metricsDailyProcessor(deps, queues.metrics);
      const job = { data: { source: 'manual' as const, date: yesterday() } } as Job<MetricsDailyPayload>;
      const first = (await daily(job, undefined, undefined)) as { jobs: number };
      await daily(job, undefined, undefined);
      const waiting = await queues.metrics.getJobs(['waiting', 'delayed']);
      expect(waiting).toHaveLength(first.jobs);
      expect(new Set(waiting.map((j) => j.id)).size).toBe(first.jobs);
      expect(waiting.map((j) => j.id)).toContain(
        `metrics-${(await dailyPlan(deps, yesterday()))[0]?.accountId}-followers-${yesterday()}`,
      );
    } finally {
      await queues.metrics.obliterate({ force: true });
      await closeQueues(queues);
    }
    const gapCheck = metricsGapCheckProcessor(deps, {
      db,
      keyring: keyringFromKeys(randomBytes(32).toString('base64'), []),
      publicUrl: null,
    });
    const run = () =>
      gapCheck({ data: { source: 'manual' } } as Job<MetricsGapCheckPayload>, undefined, undefined);
    await run();
    await run();
    const alerts = await db.selectFrom('alerts').selectAll().where('kind', '=', 'metrics_gap').execute();
    const stale = alerts.filter((a) => a.title.includes('wx_stale'));
    expect(stale).toHaveLength(1);
    expect(stale[0]?.detail).toMatch(/最近的数据停在 .*已超过 2 天没有新数据/);
  });

  it('an ingest job that meets a rate limit goes back to the delayed set for the advised time; a refusal fails it for good', async () => {
    const id = await addWechat('wx_rate');
    const refusing = (err: Error): MetricsDeps => ({
      ...deps,
      platformFor: (a) => ({ ...deps.platformFor(a), collectMetrics: async () => Promise.reject(err) }),
    });
    const delayed: number[] = [];
    const job = {
      data: { accountId: id, dataset: 'reads', date: yesterday() },
      moveToDelayed: async (at: number) => void delayed.push(at - Date.now()),
    } as unknown as Job<MetricsIngestPayload>;
    const limited = new PlatformError('rate_limited', 'wechat', '45011', { retryAfterMs: 90_000 });
    await expect(metricsIngestProcessor(refusing(limited))(job, 'token', undefined)).rejects.toBeInstanceOf(
      DelayedError,
    );
    expect(delayed).toHaveLength(1);
    expect(delayed[0]).toBeGreaterThan(85_000);
    expect(delayed[0]).toBeLessThanOrEqual(90_000);
    const reauth = new PlatformError('reauth', 'wechat', '40125', {
      editorMessage: 'AppSecret 错误，请重新填写。',
    });
    await expect(metricsIngestProcessor(refusing(reauth))(job, 'token', undefined)).rejects.toMatchObject({
      name: 'UnrecoverableError',
      message: 'AppSecret 错误，请重新填写。',
    });
  });

  it('keeps rollup totals equal to the sums of the raw rows, whatever the order and overlap of writes (property)', async () => {
    const id = await addWechat('wx_property');
    const day = fc.integer({ min: 0, max: 120 }).map((n) => addDays('2025-12-20', n));
    const figure = fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null });
    const accountDay = fc.record({
      date: day,
      followers: figure,
      newFollowers: figure,
      lostFollowers: figure,
      reads: figure,
      shares: figure,
    });
    const articleDay = fc.record({
      date: day,
      externalArticleId: fc.constantFrom('1_1', '1_2', '2_1'),
      reads: figure,
      shares: figure,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            days: fc.array(accountDay, { maxLength: 15 }),
            articles: fc.array(articleDay, { maxLength: 10 }),
          }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        async (batches) => {
          await db.deleteFrom('metric_account_daily').where('account_id', '=', id).execute();
          await db.deleteFrom('metric_article_daily').where('account_id', '=', id).execute();
          await db.deleteFrom('metric_account_periods').where('account_id', '=', id).execute();
          for (const b of batches)
            await writeMetrics(db, id, { accountDays: b.days, articleDays: b.articles });
          await expectRollupsMatch(db, id);
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** Every week and month rollup of the account equals the aggregate of its raw rows, and no other exists. */
async function expectRollupsMatch(db: Db, accountId: string) {
  for (const unit of ['week', 'month'] as const) {
    const expected = await sql<Record<string, string | number | null>>`
      with d as (
        select date_trunc(${unit}, date)::date::text as ps, count(*)::int as days_with_data,
               (array_agg(followers order by date desc) filter (where followers is not null))[1] as followers_end,
               sum(new_followers)::text as new_followers, sum(reads)::text as reads, sum(shares)::text as shares
        from metric_account_daily where account_id = ${accountId} group by 1
      ), a as (
        select date_trunc(${unit}, date)::date::text as ps, sum(reads)::text as article_reads,
               count(distinct external_article_id)::int as articles
        from metric_article_daily where account_id = ${accountId} group by 1
      )
      select coalesce(d.ps, a.ps) as ps, coalesce(d.days_with_data, 0) as days_with_data, d.followers_end,
             d.new_followers, d.reads, d.shares, a.article_reads, coalesce(a.articles, 0) as articles
      from d full join a on a.ps = d.ps order by 1`.execute(db);
    const actual = await sql<Record<string, string | number | null>>`
      select period_start::text as ps, days_with_data, followers_end, new_followers::text, reads::text,
             shares::text, article_reads::text, articles
      from metric_account_periods where account_id = ${accountId} and granularity = ${unit}
      order by 1`.execute(db);
    expect(actual.rows).toEqual(expected.rows);
  }
}

/**
 * `npm run bench:metrics` — metrics at the scale of the city contract (issue 7), real PostgreSQL and Redis.
 *
 * 1. Backfill: BENCH_ACCOUNTS (700) WeChat accounts × BENCH_DAYS (365) days from the emulator (its own
 *    process, every account with a generated article history), run as the worker runs it: 42-day
 *    windows, each written with its rollups and checkpoint in one transaction, BENCH_CONCURRENCY (4, the worker's METRICS_CONCURRENCY default)
 *    backfills at once. Reported: wall time, rows, rows/s end to end, peak RSS of this process.
 * 2. Write path against COPY, same rows, same database, same run, BENCH_ROUNDS (3) rounds interleaved:
 *    the rows the backfill stored are written again through `writeMetrics` (upserts + weekly and
 *    monthly rollups, 42-day windows per account, one transaction each, same concurrency) into emptied
 *    tables, and loaded with `COPY … FROM STDIN` (no rollups) into the same emptied tables.
 *    Target: write path rows/s ÷ COPY rows/s ≥ 0.3.
 * 3. Queries under load with autocannon (its own process) at BENCH_RATE (200) requests/s for
 *    BENCH_SECONDS (20) s each, against the API in its own process (`bin/main.ts --role api`): `GET /api/orgs/:id/kpi` (4 contract targets over all accounts) and a
 *    one-year weekly series `GET /api/orgs/:id/metrics?granularity=week`. Targets: p99 < 25 ms and
 *    < 50 ms. Both are served from the per-organisation summary cache once computed; the uncached
 *    computation is timed too (BENCH_COLD (20) calls each, in process).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { addDays, daysInclusive } from '../core/calendar/days.js';
import { kpiSummary } from '../core/kpi/kpi.service.js';
import { dayOf, requestBackfill, runBackfill } from '../core/metrics/ingest.js';
import { metricsSeries } from '../core/metrics/metrics.query.js';
import { writeMetrics } from '../core/metrics/metrics.store.js';
import { putSecret } from '../core/secrets/secrets.repository.js';
import type { AccountDayFigures, ArticleDayFigures } from '../integrations/platform.js';
import { createPlatformClients } from '../integrations/platforms.js';
import { createTestUser, identityHarness, signIn } from '../tests/helpers/identity.js';
import { silentLogger } from '../tests/helpers/services.js';
import { spawnTs, waitForOutput, waitForStatus } from '../tests/helpers/spawn.js';
import { testServiceUrls } from '../tests/helpers/urls.js';
import { summary } from './stats.js';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 700);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const COLD = Number(process.env.BENCH_COLD ?? 20);
const WINDOW = 42;
const SECRET = 'bench-metrics-secret-0123456789ab';

const out = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[bench:metrics] ${line}\n`);
const ms = (v: number) => `${v.toFixed(1)} ms`;

async function peakRss(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** Runs `work` over the items with at most `n` at once. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const pgDay = (v: unknown) => (v === null || v === undefined ? '\\N' : String(v));

async function main(): Promise<void> {
  const port = 40_000 + Math.floor(Math.random() * 10_000);
  const emulator = spawnTs('integrations/emulator/main.ts', [], { EMULATOR_PORT: String(port) });
  const emu = `http://127.0.0.1:${port}`;
  const h = await identityHarness({
    TOTP_REQUIRED_ROLES: 'none',
    RATE_LIMIT_PER_MINUTE: '1000000',
    WECHAT_API_BASE: emu,
    DATABASE_POOL_MAX: '20',
  });
  const { db } = h;
  let api: ReturnType<typeof spawnTs> | undefined;
  try {
    await waitForOutput(emulator, /Platform emulator/, 60_000);
    const today = dayOf(Date.now());
    const to = addDays(today, -1);
    const from = addDays(to, -(DAYS - 1));

    note(`creating ${ACCOUNTS} accounts`);
    const accountIds: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const appid = `wx_bench_${i}`;
      await fetch(`${emu}/_emulator/wechat/apps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appid, secret: SECRET, historyArticlesUntil: today }),
      });
      const a = await db
        .insertInto('accounts')
        .values({
          organisation_id: h.orgId,
          platform: 'wechat',
          name: `政务号 ${i}`,
          external_id: appid,
          wechat_kind: 'subscription',
          publish_mode: 'masssend',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await putSecret(db, h.keyring, {
        ownerType: 'account',
        ownerId: a.id,
        name: 'app_secret',
        value: SECRET,
      });
      accountIds.push(a.id);
    }
    const platforms = createPlatformClients({
      redis: h.redis,
      redisPrefix: `${h.config.redis.prefix}:bench`,
      wechatApiBase: emu,
      weiboApiBase: emu,
      weiboSafeDomains: [],
      sandboxBase: null,
      secretOf: async () => SECRET,
    });
    const deps = { db, platformFor: platforms.platformFor, logger: silentLogger };

    // 1. The backfill.
    note(`backfilling ${ACCOUNTS} accounts × ${DAYS} days (${from} … ${to}), ${CONCURRENCY} at once`);
    const t0 = performance.now();
    let done = 0;
    await pool(accountIds, CONCURRENCY, async (accountId) => {
      const { backfill } = await requestBackfill(deps, null, { accountId, from, to });
      await runBackfill(deps, backfill.id);
      if (++done % 50 === 0)
        note(`${done}/${ACCOUNTS} accounts (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    });
    const backfillS = (performance.now() - t0) / 1000;
    const count = async (table: 'metric_account_daily' | 'metric_article_daily') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const accountRows = await count('metric_account_daily');
    const articleRows = await count('metric_article_daily');
    const rows = accountRows + articleRows;
    const backfillRss = await peakRss();

    // 2. Write path against COPY with the same rows (in a function: its copies of the rows are
    // garbage before the load test starts).
    const { writeRates, copyRates, ratios } = await writePathAgainstCopy(h, rows, from, to);
    // The last round was the write path: tables and rollups are complete again.

    // 3. Queries under load.
    const targets = [
      {
        metric: 'weekly_average_reads',
        name: '周均阅读量',
        baseline: { kind: 'period', from: addDays(from, 7), to: addDays(from, 7 + 27) },
        milestones: [
          { date: addDays(today, 60), kind: 'percent', value: 10 },
          { date: addDays(today, 240), kind: 'percent', value: 20 },
        ],
      },
      {
        metric: 'followers_total',
        name: '粉丝总数',
        baseline: null,
        milestones: [
          { date: addDays(today, 60), kind: 'absolute', value: 70_000_000 },
          { date: addDays(today, 240), kind: 'absolute', value: 80_000_000 },
        ],
      },
      {
        metric: 'net_new_followers',
        name: '净增粉丝',
        baseline: null,
        milestones: [{ date: addDays(today, 240), kind: 'absolute', value: 8_000_000 }],
      },
      {
        metric: 'campaigns_per_year',
        name: '年度活动',
        baseline: null,
        milestones: [{ date: addDays(today, 240), kind: 'absolute', value: 6 }],
      },
    ];
    const planner = await signIn(h.app, await createTestUser(h, 'planner'));
    for (const t of targets) {
      const res = await h.app.inject({
        method: 'POST',
        url: `/api/orgs/${h.orgId}/kpi/targets`,
        headers: planner.headers,
        payload: { ...t, contractStart: addDays(from, 7), contractEnd: addDays(today, 240) },
      });
      if (res.statusCode !== 201) throw new Error(`target: ${res.statusCode} ${res.body}`);
    }
    const seriesQuery = { from: addDays(to, -364), to, granularity: 'week' as const };
    const coldKpi: number[] = [];
    const coldSeries: number[] = [];
    for (let i = 0; i < COLD; i++) {
      let t = performance.now();
      await kpiSummary(db, h.orgId);
      coldKpi.push(performance.now() - t);
      t = performance.now();
      await metricsSeries(db, h.orgId, seriesQuery);
      coldSeries.push(performance.now() - t);
    }

    // The API in its own process, as deployed (`--role api`), on the same database and Redis prefix.
    const apiPort = 41_000 + Math.floor(Math.random() * 9_000);
    const reader = await createTestUser(h, 'editor');
    api = spawnTs('bin/main.ts', ['--role', 'api'], {
      DATABASE_URL: h.config.database.url ?? undefined,
      REDIS_URL: testServiceUrls().redisUrl,
      REDIS_PREFIX: h.config.redis.prefix,
      APP_ENCRYPTION_KEY: h.keyring.current.key.toString('base64'),
      PORT: String(apiPort),
      DATA_DIR: await mkdtemp(path.join(tmpdir(), 'yy-bench-metrics-')),
      TOTP_REQUIRED_ROLES: 'none',
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
    });
    const address = `http://127.0.0.1:${apiPort}`;
    await waitForStatus(`${address}/healthz`, 200, 60_000);
    const login = await fetch(`${address}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: reader.username, password: reader.password }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    if (login.status !== 200 || !cookie) throw new Error(`login: ${login.status} ${await login.text()}`);
    const autocannon = path.resolve(import.meta.dirname, '../node_modules/autocannon/autocannon.js');
    const load = async (url: string, seconds = SECONDS) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          autocannon,
          '-j',
          '-R',
          String(RATE),
          '-d',
          String(seconds),
          '-c',
          '10',
          '-H',
          `cookie=${cookie}`,
          url,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const r = JSON.parse(stdout) as {
        latency: { p50: number; p90: number; p99: number; max: number };
        requests: { average: number; total: number };
        non2xx: number;
        errors: number;
      };
      return r;
    };
    // Warm-up (JIT, caches), not recorded; then the reference: the cheapest authenticated route, which
    // costs the session check and nothing else, at the same rate in the same run.
    const kpiUrl = `${address}/api/orgs/${h.orgId}/kpi`;
    await load(kpiUrl, 3);
    const reference = await load(`${address}/api/auth/session`);
    const kpiLoad = await load(kpiUrl);
    const seriesUrl = `${address}/api/orgs/${h.orgId}/metrics?from=${seriesQuery.from}&to=${seriesQuery.to}&granularity=week`;
    await load(seriesUrl, 3);
    const seriesLoad = await load(seriesUrl);

    const w = summary(writeRates);
    const c = summary(copyRates);
    const q = summary(ratios);
    out(`metrics benchmark: ${ACCOUNTS} accounts × ${DAYS} days, concurrency ${CONCURRENCY}`);
    out(
      `backfill            ${backfillS.toFixed(1)} s wall, ${rows} rows (${accountRows} account days, ${articleRows} article days), ${(rows / backfillS).toFixed(0)} rows/s end to end, ${((daysInclusive(from, to) * ACCOUNTS) / backfillS).toFixed(0)} account-days/s, peak RSS ${backfillRss.toFixed(0)} MB`,
    );
    out(
      `write path rows/s   median ${w.p50.toFixed(0)} (${w.min.toFixed(0)}–${w.max.toFixed(0)}) over ${ROUNDS} rounds`,
    );
    out(`COPY rows/s         median ${c.p50.toFixed(0)} (${c.min.toFixed(0)}–${c.max.toFixed(0)})`);
    out(
      `ratio write ÷ COPY  median ${q.p50.toFixed(3)} (${q.min.toFixed(3)}–${q.max.toFixed(3)})  target ≥ 0.3`,
    );
    const cold = (label: string, v: number[]) => {
      const s = summary(v);
      out(
        `${label} median ${ms(s.p50)}, p90 ${ms(s.p90)}, max ${ms(s.max)} (${v.length} calls, uncached, in process)`,
      );
    };
    cold('kpi computed        ', coldKpi);
    cold('weekly series 1 yr  ', coldSeries);
    const hot = (label: string, r: Awaited<ReturnType<typeof load>>, target: number) =>
      out(
        `${label} ${RATE} req/s × ${SECONDS} s: p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, ${r.requests.total} requests, non-2xx ${r.non2xx}, errors ${r.errors}${Number.isNaN(target) ? '  (reference)' : `  target p99 < ${target} ms`}`,
      );
    hot('GET auth/session    ', reference, Number.NaN);
    hot('GET kpi             ', kpiLoad, 25);
    hot('GET weekly series   ', seriesLoad, 50);
  } finally {
    api?.child.kill('SIGTERM');
    emulator.child.kill('SIGTERM');
    await h.close();
  }
}

/** Writes the stored rows again through the write path and through COPY, in interleaved rounds. */
async function writePathAgainstCopy(
  h: Awaited<ReturnType<typeof identityHarness>>,
  rows: number,
  from: string,
  to: string,
) {
  const { db } = h;
  note('reading the stored rows back for the write-path and COPY rounds');
  const daily = await db.selectFrom('metric_account_daily').selectAll().execute();
  const articles = await db.selectFrom('metric_article_daily').selectAll().execute();
  const byAccount = new Map<string, { days: AccountDayFigures[]; articles: ArticleDayFigures[] }>();
  const slot = (id: string) => {
    let s = byAccount.get(id);
    if (!s) {
      s = { days: [], articles: [] };
      byAccount.set(id, s);
    }
    return s;
  };
  for (const d of daily)
    slot(d.account_id).days.push({
      date: d.date,
      followers: d.followers,
      newFollowers: d.new_followers,
      lostFollowers: d.lost_followers,
      newBySource: d.new_by_source,
      reads: d.reads,
      readers: d.readers,
      shares: d.shares,
    });
  for (const a of articles)
    slot(a.account_id).articles.push({
      date: a.date,
      externalArticleId: a.external_article_id,
      title: a.title,
      reads: a.reads,
      readers: a.readers,
      shares: a.shares,
      favourites: a.favourites,
    });
  const dailyCopy = daily
    .map((d) =>
      [
        d.account_id,
        d.date,
        d.followers,
        d.new_followers,
        d.lost_followers,
        d.new_by_source ? JSON.stringify(d.new_by_source) : null,
        d.reads,
        d.readers,
        d.shares,
        d.source,
      ]
        .map(pgDay)
        .join('\t'),
    )
    .join('\n');
  const articleCopy = articles
    .map((a) =>
      [
        a.account_id,
        a.external_article_id,
        a.date,
        a.content_id,
        a.title,
        a.reads,
        a.readers,
        a.shares,
        a.likes,
        a.comments,
        a.favourites,
        a.source,
      ]
        .map(pgDay)
        .join('\t'),
    )
    .join('\n');
  const empty = () =>
    sql`truncate metric_account_daily, metric_article_daily, metric_account_periods`.execute(db);
  const windows = (from0: string) => {
    const list: Array<[string, string]> = [];
    for (let s = from0; s <= to; s = addDays(s, WINDOW))
      list.push([s, [addDays(s, WINDOW - 1), to].sort()[0] as string]);
    return list;
  };
  const writePath = async () => {
    await empty();
    const t = performance.now();
    await pool([...byAccount.entries()], CONCURRENCY, async ([accountId, rowsOf]) => {
      for (const [a, b] of windows(from))
        await db.transaction().execute((tx) =>
          writeMetrics(tx, accountId, {
            accountDays: rowsOf.days.filter((d) => d.date >= a && d.date <= b),
            articleDays: rowsOf.articles.filter((d) => d.date >= a && d.date <= b),
          }),
        );
    });
    return (performance.now() - t) / 1000;
  };
  const copy = async () => {
    await empty();
    const client = new pg.Client({ connectionString: h.config.database.url ?? undefined });
    await client.connect();
    try {
      const t = performance.now();
      await pipeline(
        [`${dailyCopy}\n`],
        client.query(
          copyFrom(
            'COPY metric_account_daily (account_id, date, followers, new_followers, lost_followers, new_by_source, reads, readers, shares, source) FROM STDIN',
          ),
        ),
      );
      await pipeline(
        [`${articleCopy}\n`],
        client.query(
          copyFrom(
            'COPY metric_article_daily (account_id, external_article_id, date, content_id, title, reads, readers, shares, likes, comments, favourites, source) FROM STDIN',
          ),
        ),
      );
      return (performance.now() - t) / 1000;
    } finally {
      await client.end();
    }
  };
  const writeRates: number[] = [];
  const copyRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c = await copy();
    const w = await writePath();
    copyRates.push(rows / c);
    writeRates.push(rows / w);
    ratios.push(c / w);
    note(`round ${r + 1}: write path ${w.toFixed(2)} s, COPY ${c.toFixed(2)} s, ratio ${(c / w).toFixed(3)}`);
  }
  return { writeRates, copyRates, ratios };
}

await main();

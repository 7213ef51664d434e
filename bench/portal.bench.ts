/**
 * `npm run bench:portal` — the client portal's dashboard fully rendered in Chromium with 3 years of
 * data for 50 accounts (issue: target < 1.5 s), real PostgreSQL and Redis, the API in its own process
 * (`bin/main.ts --role api`), puppeteer-core driving the system Chromium.
 *
 * Seed (bench/portal.seed.ts, in a fresh database): BENCH_ACCOUNTS (50) WeChat accounts × BENCH_DAYS
 * (1,096) days ending yesterday through `writeMetrics`, three articles a week per account, 4 KPI targets,
 * BENCH_CAMPAIGNS (9) campaigns. The reference, measured in the same run: an organisation with 1
 * account × 30 days, the same targets and one campaign — the page's fixed cost.
 *
 * One load = `page.goto` until `body[data-ready=true]` (portal-dashboard.js sets it when every part is
 * rendered) and every visible canvas has ink: the wall time from the start of `goto`, and the page's own
 * `data-render-ms`. Views: the reference (daily, 30 days), the default (weekly, last 26 weeks), weekly
 * over 3 years, daily over 3 years (≈ 1,096 points, the heaviest). BENCH_WARMUP (2) rounds, then
 * BENCH_RUNS (15) rounds, every round loading each view once (interleaved), with the server's summary
 * cache warm (as for any visitor after the first); then BENCH_COLD (5) rounds with the organisation's
 * summary cache invalidated before each load (its `config` version counter, under the bench's own Redis
 * prefix). Where the time goes: the page's resource timing of each API call, and the same API calls
 * from Node (warm and cold).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { addDays } from '../core/calendar/days.js';
import { loadConfig } from '../core/config/config.js';
import { hashPassword } from '../core/identity/passwords.js';
import { insertUser } from '../core/identity/users.repository.js';
import { metricsCacheInvalidator } from '../core/metrics/cache.js';
import { dayOf } from '../core/metrics/ingest.js';
import { CHROMIUM_INSTALL_HINT, findChromium } from '../integrations/pdf/chromium.js';
import { goodPassword } from '../tests/helpers/identity.js';
import { peakRssMb } from '../tests/helpers/publish-fleet.js';
import {
  clearPrefix,
  createMigratedDatabase,
  insertOrganisation,
  uniqueName,
} from '../tests/helpers/services.js';
import { type Spawned, spawnTs, waitForStatus } from '../tests/helpers/spawn.js';
import { testServiceUrls } from '../tests/helpers/urls.js';
import { seedPortalOrganisation } from './portal.seed.js';
import { summary } from './stats.js';

// Functions passed to page.evaluate run in the browser; the project compiles without the DOM library, so
// the little of it they use is declared here.
interface BrowserCanvas {
  width: number;
  height: number;
  closest(selector: string): unknown;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface BrowserTiming {
  name: string;
  startTime: number;
  responseEnd: number;
  encodedBodySize: number;
  domContentLoadedEventEnd: number;
}
declare const document: {
  body: { dataset: Record<string, string | undefined> } | null;
  querySelectorAll(selector: 'canvas'): Iterable<BrowserCanvas>;
  querySelector(selector: string): { rows: { length: number } } | null;
  getElementById(id: string): { hidden: boolean; textContent: string | null };
};
declare const window: {
  __readyAt?: number;
  performance: { now(): number; getEntriesByType(type: string): BrowserTiming[] };
};

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 50);
const DAYS = Number(process.env.BENCH_DAYS ?? 1096);
const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 9);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const COLD = Number(process.env.BENCH_COLD ?? 5);
const SEED_CONCURRENCY = Number(process.env.BENCH_SEED_CONCURRENCY ?? 2);
const TARGET_MS = 1500;

const out = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[bench:portal] ${line}\n`);
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const spread = (v: number[]) => {
  const s = summary(v);
  return `${int(s.p50)} (${int(s.p10)}–${int(s.p90)})`;
};
const ratioSpread = (v: number[]) => {
  const s = summary(v);
  return `${s.p50.toFixed(2)} (${s.p10.toFixed(2)}–${s.p90.toFixed(2)})`;
};

/** What one load of the dashboard took, from the bench and from the page's own timeline. */
interface Load {
  wallMs: number;
  renderMs: number;
  points: number;
  /** Page timeline (ms since navigation start). */
  htmlEnd: number;
  domReady: number;
  readyAt: number;
  api: Array<{ name: string; start: number; end: number; bytes: number }>;
}

/** The API call a resource-timing entry was, by path and granularity. */
function apiName(url: string): string {
  const u = new URL(url);
  const p = u.pathname.replace('/portal/api/', '');
  if (p === 'metrics') return `series ${u.searchParams.get('granularity')}`;
  if (/^campaigns\/[0-9a-f-]{36}$/.test(p)) return 'campaign detail';
  return p;
}

async function loadDashboard(page: Page, url: string): Promise<Load> {
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.waitForFunction(
    () => {
      if (document.body?.dataset.ready !== 'true') return false;
      window.__readyAt ??= window.performance.now();
      return true;
    },
    { polling: 'mutation', timeout: 60_000 },
  );
  // Chart.js draws synchronously with animation off, so this normally passes at its first check.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('canvas')]
        .filter((c) => !c.closest('[hidden]'))
        .every((c) => {
          const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
          let inked = 0;
          for (let i = 3; i < data.length; i += 28) if ((data[i] ?? 0) > 0) inked++;
          return c.width > 100 && inked > 300;
        }),
    { polling: 'raf', timeout: 10_000 },
  );
  const wallMs = performance.now() - t0;
  const seen = await page.evaluate(() => {
    const [nav] = window.performance.getEntriesByType('navigation');
    return {
      error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
      renderMs: Number(document.body?.dataset.renderMs),
      points: document.querySelector('#followers-table tbody')?.rows.length ?? 0,
      htmlEnd: nav?.responseEnd ?? Number.NaN,
      domReady: nav?.domContentLoadedEventEnd ?? Number.NaN,
      readyAt: window.__readyAt ?? Number.NaN,
      api: window.performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/portal/api/'))
        .map((e) => ({ url: e.name, start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize })),
    };
  });
  const { error, api, ...timeline } = seen;
  if (error) throw new Error(`${url}: the page shows an error: ${error}`);
  return {
    wallMs,
    ...timeline,
    api: api.map(({ url: resource, ...a }) => ({ name: apiName(resource), ...a })),
  };
}

/** A signed-in page of its own browser context (its own cookie jar). */
async function portalPage(
  browser: Browser,
  base: string,
  user: { username: string; password: string },
  problems: string[],
) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('pageerror', (err) => problems.push(`pageerror: ${(err as Error).message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  await page.goto(`${base}/portal/login`, { waitUntil: 'networkidle0' });
  await page.type('#username', user.username);
  await page.type('#password', user.password);
  await Promise.all([page.waitForNavigation(), page.click('#login-form button[type="submit"]')]);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 }).catch((err) => {
    throw new Error(`no dashboard after signing in at ${page.url()}: ${problems.join(' | ') || err}`);
  });
  return page;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const chromium = await findChromium(config.chromiumPath, config.systemPath);
  if (!chromium) throw new Error(`No Chromium. ${CHROMIUM_INSTALL_HINT}`);
  // No app in this process: the bench only seeds, and the API runs in its own.
  const database = await createMigratedDatabase();
  const { db } = database;
  const redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
  const prefix = uniqueName('bench_portal').toLowerCase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yy-bench-portal-'));
  let api: Spawned | undefined;
  let browser: Browser | undefined;
  try {
    const loadBefore = loadavg()[0] as number;
    const today = dayOf(Date.now());
    const to = addDays(today, -1);
    const from = addDays(to, -(DAYS - 1));
    const refFrom = addDays(to, -29);

    const viewerOf = async (organisationId: string) => {
      const password = goodPassword();
      const user = await insertUser(db, {
        username: uniqueName('benchviewer'),
        displayName: '客户（只读）',
        role: 'client_viewer',
        organisationId,
        passwordHash: await hashPassword(password),
        mustChangePassword: false,
      });
      return { username: user.username, password };
    };
    const orgId = await insertOrganisation(db, '省体彩中心');
    const refOrgId = await insertOrganisation(db, '参照单位');

    note(`seeding ${ACCOUNTS} accounts × ${DAYS} days (${from} … ${to}), ${SEED_CONCURRENCY} at once`);
    const t0 = performance.now();
    const seeded = await seedPortalOrganisation(db, orgId, {
      accounts: ACCOUNTS,
      from,
      to,
      today,
      campaigns: CAMPAIGNS,
      concurrency: SEED_CONCURRENCY,
    });
    const seedS = (performance.now() - t0) / 1000;
    await seedPortalOrganisation(db, refOrgId, {
      accounts: 1,
      from: refFrom,
      to,
      today,
      campaigns: 1,
      concurrency: 1,
    });
    const viewer = await viewerOf(orgId);
    const refViewer = await viewerOf(refOrgId);

    // The API in its own process, as deployed, on the bench's database and Redis prefix.
    const port = 41_000 + Math.floor(Math.random() * 9_000);
    api = spawnTs('bin/main.ts', ['--role', 'api'], {
      DATABASE_URL: database.url,
      REDIS_URL: testServiceUrls().redisUrl,
      REDIS_PREFIX: prefix,
      APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PORT: String(port),
      DATA_DIR: dataDir,
      TOTP_REQUIRED_ROLES: 'none',
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForStatus(`${base}/healthz`, 200, 60_000);
    const serverPid = api.child.pid as number;

    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: [
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        '--disable-dev-shm-usage',
        '--disable-gpu',
      ],
    });
    const problems: string[] = [];
    const mainPage = await portalPage(browser, base, viewer, problems);
    const refPage = await portalPage(browser, base, refViewer, problems);
    const views = [
      {
        label: 'reference: 1 account × 30 days, daily',
        page: refPage,
        org: refOrgId,
        url: `${base}/portal?from=${refFrom}&to=${to}&granularity=day`,
      },
      { label: 'default: weekly, last 26 weeks', page: mainPage, org: orgId, url: `${base}/portal` },
      {
        label: 'weekly, 3 years',
        page: mainPage,
        org: orgId,
        url: `${base}/portal?from=${from}&to=${to}&granularity=week`,
      },
      {
        label: 'daily, 3 years (heaviest)',
        page: mainPage,
        org: orgId,
        url: `${base}/portal?from=${from}&to=${to}&granularity=day`,
      },
    ];
    const invalidate = (org: string) => metricsCacheInvalidator(redis, prefix, 'config')(org);

    const rounds = async (n: number, cold: boolean) => {
      const loads = views.map(() => [] as Load[]);
      for (let r = 0; r < n; r++)
        for (const [i, v] of views.entries()) {
          if (cold) await invalidate(v.org);
          loads[i]?.push(await loadDashboard(v.page, v.url));
        }
      return loads;
    };
    note(`${WARMUP} warm-up rounds`);
    await rounds(WARMUP, false);
    note(`${RUNS} rounds, summary cache warm`);
    const warm = await rounds(RUNS, false);
    note(`${COLD} rounds, summary cache invalidated before each load`);
    const cold = await rounds(COLD, true);
    if (problems.length > 0) note(`page problems: ${problems.slice(0, 5).join(' | ')}`);

    // The same API calls from Node, to separate the server's time from the browser's.
    note('API calls from Node');
    const login = await fetch(`${base}/portal/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: viewer.username, password: viewer.password }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    if (login.status !== 200 || !cookie) throw new Error(`login: ${login.status} ${await login.text()}`);
    const campaignList = (await (
      await fetch(`${base}/portal/api/campaigns?from=${from}&to=${to}`, { headers: { cookie } })
    ).json()) as { items: Array<{ id: string }> };
    const calls = [
      ['GET metrics, daily, 3 years', `/portal/api/metrics?from=${from}&to=${to}&granularity=day`],
      ['GET metrics, weekly, 3 years', `/portal/api/metrics?from=${from}&to=${to}&granularity=week`],
      ['GET kpi', '/portal/api/kpi'],
      ['GET top-articles, 3 years', `/portal/api/top-articles?from=${from}&to=${to}&limit=10`],
      ['GET campaigns, 3 years', `/portal/api/campaigns?from=${from}&to=${to}`],
      ['GET campaigns/:id', `/portal/api/campaigns/${campaignList.items.at(-1)?.id}`],
      ['GET auth/session (reference)', '/portal/api/auth/session'],
    ] as const;
    const timeCall = async (url: string) => {
      const t = performance.now();
      const res = await fetch(`${base}${url}`, { headers: { cookie } });
      const body = await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
      return { ms: performance.now() - t, bytes: body.byteLength };
    };
    const direct = [];
    for (const [label, url] of calls) {
      // A route this build does not have yet (the dashboard grows) is left out, not a failure.
      if ((await fetch(`${base}${url}`, { headers: { cookie } })).status === 404) continue;
      for (let i = 0; i < 3; i++) await timeCall(url);
      const warmMs: number[] = [];
      const coldMs: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 10; i++) {
        const w = await timeCall(url);
        warmMs.push(w.ms);
        bytes = w.bytes;
        await invalidate(orgId);
        coldMs.push((await timeCall(url)).ms);
      }
      direct.push({ label, warmMs, coldMs, bytes });
    }
    const serverPeak = await peakRssMb(serverPid);

    // The figures.
    out(
      `portal dashboard benchmark: ${ACCOUNTS} accounts × ${DAYS} days (${from} … ${to}), ${CAMPAIGNS} campaigns, 4 KPI targets; ${RUNS} rounds after ${WARMUP} warm-up, ${COLD} cold; Chromium ${chromium}`,
    );
    out(
      `machine: ${cpus().length} cores, 1-minute load average ${loadBefore.toFixed(2)} at the start, ${(loadavg()[0] as number).toFixed(2)} at the end`,
    );
    out(
      `seed: ${seedS.toFixed(1)} s for ${int(seeded.accountRows)} account days + ${int(seeded.articleRows)} article days through writeMetrics (with rollups), ${int((seeded.accountRows + seeded.articleRows) / seedS)} rows/s, ${SEED_CONCURRENCY} accounts at once`,
    );
    const table = (title: string, loads: Load[][]) => {
      out('');
      out(title);
      out(
        '| view | points | wall to rendered, ms: median (p10–p90) | min–max | page renderMs median (p10–p90) | ÷ reference, median (p10–p90) | target < 1.5 s |',
      );
      out('| --- | --- | --- | --- | --- | --- | --- |');
      const ref = loads[0] as Load[];
      for (const [i, v] of views.entries()) {
        const l = loads[i] as Load[];
        const wall = l.map((x) => x.wallMs);
        const s = summary(wall);
        const ratios = l.map((x, k) => x.wallMs / (ref[k] as Load).wallMs);
        out(
          `| ${v.label} | ${l[0]?.points} | ${spread(wall)} | ${int(s.min)}–${int(s.max)} | ${spread(l.map((x) => x.renderMs))} | ${i === 0 ? '1 (reference)' : ratioSpread(ratios)} | ${i === 0 ? '—' : s.p50 < TARGET_MS ? 'yes' : 'no'} |`,
        );
      }
    };
    table(`summary cache warm (${RUNS} loads per view, interleaved):`, warm);
    table(`summary cache invalidated before each load (${COLD} loads per view):`, cold);

    const breakdown = (title: string, loads: Load[][]) => {
      out('');
      out(title);
      for (const [i, v] of views.entries()) {
        const l = loads[i] as Load[];
        const med = (f: (x: Load) => number) => int(summary(l.map(f)).p50);
        // Per kind of call: the slowest one's duration, and when the last one ended (the waterfall).
        const calls = new Map<string, { took: number[]; ended: number[] }>();
        for (const x of l)
          for (const name of new Set(x.api.map((a) => a.name))) {
            const mine = x.api.filter((a) => a.name === name);
            const c = calls.get(name) ?? { took: [], ended: [] };
            c.took.push(Math.max(...mine.map((a) => a.end - a.start)));
            c.ended.push(Math.max(...mine.map((a) => a.end)));
            calls.set(name, c);
          }
        const lastResponse = (x: Load) => Math.max(...x.api.map((a) => a.end));
        out(
          `${v.label}: HTML ${med((x) => x.htmlEnd)} ms, DOMContentLoaded ${med((x) => x.domReady)} ms, load() starts ${med((x) => x.readyAt - x.renderMs)} ms, last API response ${med(lastResponse)} ms, ready ${med((x) => x.readyAt)} ms (page timeline; ready − last response ${med((x) => x.readyAt - lastResponse(x))} ms; goto overhead + ink check ${med((x) => x.wallMs - x.readyAt)} ms)`,
        );
        out(
          `    API calls, median ms (slowest of the kind / last ends at): ${[...calls.entries()].map(([n, c]) => `${n}${n === 'campaign detail' ? ` ×${(l[0]?.api ?? []).filter((a) => a.name === n).length}` : ''} ${int(summary(c.took).p50)} / ${int(summary(c.ended).p50)}`).join(', ')}`,
        );
      }
    };
    breakdown('where the time goes, summary cache warm (medians):', warm);
    breakdown('where the time goes, summary cache invalidated (medians):', cold);

    out('');
    out('API calls from Node (10 each after 3 warm-up; cold = organisation summary cache invalidated):');
    out('| call | response | warm, ms: median (p10–p90) | cold, ms: median (p10–p90) |');
    out('| --- | --- | --- | --- |');
    for (const d of direct)
      out(`| ${d.label} | ${int(d.bytes / 1024)} KB | ${spread(d.warmMs)} | ${spread(d.coldMs)} |`);
    out('');
    out(
      `API server (bin/main.ts --role api) peak RSS ${serverPeak.toFixed(0)} MB (VmHWM); page problems: ${problems.length}`,
    );
  } finally {
    await browser?.close().catch(() => undefined);
    if (api && api.child.exitCode === null) {
      api.child.kill('SIGTERM');
      await Promise.race([api.exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await clearPrefix(redis, prefix);
    await redis.quit();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();

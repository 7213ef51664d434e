import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/database.js';
import { AppError } from '../../core/errors.js';
import { scriptJson } from '../../core/html.js';
import { writeMetrics } from '../../core/metrics/metrics.store.js';
import { gatherReportData } from '../../core/reports/report.data.js';
import {
  generateReport,
  type PdfPrinter,
  ReportFailedError,
  type ReportsContext,
  requestMonthlyReports,
  requestReport,
} from '../../core/reports/reports.service.js';
import { keyringFromKeys } from '../../core/secrets/keyring.js';
import { renderReportPage } from '../../dashboard/portal/report.page.js';
import { findChromium } from '../../integrations/pdf/chromium.js';
import { PdfRenderer } from '../../integrations/pdf/pdf-renderer.js';
import { JOBS } from '../../workers/jobs.js';
import { startWorkerPool } from '../../workers/main.js';
import { closeQueues, createQueues } from '../../workers/queues.js';
import { reportEnqueuer, reportGenerateProcessor } from '../../workers/reports.worker.js';
import {
  clearPrefix,
  createMigratedDatabase,
  insertOrganisation,
  insertWechatAccount,
  silentLogger,
  tempDir,
  uniqueName,
} from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';
import { LAST_FOLLOWERS, LONG_TITLE, seedLotteryCentre, TOP_READS, TOP_TITLE, XSS_TITLE } from './seed.js';

const run = promisify(execFile);
const ARTIFACTS = path.resolve('test-artifacts');
/** "Now" for the tests: November 2026, so October is last month. */
const NOW = Date.parse('2026-11-20T10:00:00+08:00');

/** The PDF's text: laid out as on the page, or (`raw`) in drawing order, where a wrapped cell stays whole. */
async function pdfText(file: string, mode: 'layout' | 'raw' = 'layout'): Promise<string> {
  return (await run('pdftotext', [`-${mode}`, file, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** Renders every page at 50 dpi and returns [pages rendered, pages in the PDF]. */
async function renderPages(file: string, outDir: string): Promise<[number, number]> {
  await mkdir(outDir, { recursive: true });
  await run('pdftoppm', ['-r', '50', '-png', file, path.join(outDir, 'page')]);
  const pngs = (await readdir(outDir)).filter((f) => f.endsWith('.png'));
  const info = (await run('pdfinfo', [file])).stdout;
  return [pngs.length, Number(/^Pages:\s+(\d+)/m.exec(info)?.[1])];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const cjkShare = (s: string) => {
  const visible = s.replace(/\s/g, '');
  return (visible.match(/\p{Script=Han}/gu)?.length ?? 0) / Math.max(1, visible.length);
};

describe('monthly reports: PDF and Excel from real data, printed by real Chromium', () => {
  let db: Kysely<Database>;
  let drop: () => Promise<void>;
  let data: { dir: string; remove(): Promise<void> };
  let renderer: PdfRenderer;
  let ctx: ReportsContext;
  let chromium: string;
  let lottery: { orgId: string; accountId: string };
  const reportRow = (id: string) =>
    db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    const database = await createMigratedDatabase();
    db = database.db;
    drop = database.drop;
    data = await tempDir('yunying-reports-');
    chromium = (await findChromium(null, process.env.PATH ?? '')) as string;
    expect(chromium, 'Chromium must be installed (apt-get install chromium)').toBeTruthy();
    renderer = new PdfRenderer({ executablePath: chromium, poolSize: 2, pageTimeoutMs: 30_000 });
    ctx = {
      db,
      dataDir: data.dir,
      printer: renderer,
      alerts: { db, keyring: keyringFromKeys(randomBytes(32).toString('base64'), []), publicUrl: null },
      now: () => NOW,
    };
    lottery = await seedLotteryCentre(db);
    await db
      .insertInto('alert_channels')
      .values({
        organisation_id: lottery.orgId,
        type: 'webhook',
        name: '运营群',
        target: 'https://example.invalid/x',
      })
      .execute();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await renderer?.close();
    await drop?.();
    await data?.remove();
  });

  it('prints the month: headings, the organisation, key numbers and Chinese text, every page renders', async () => {
    const { report } = await requestReport(ctx, lottery.orgId, '2026-10', null);
    expect(report).toMatchObject({ status: 'queued', version: 1, month: '2026-10' });
    const done = await generateReport(ctx, report.id);
    expect(done.status).toBe('done');
    expect(done.attempts).toBe(1);

    const row = await reportRow(report.id);
    expect(row.pdf_path).toBe(path.join('reports', lottery.orgId, '2026-10', 'v1.pdf'));
    const pdfFile = path.join(data.dir, row.pdf_path as string);
    const pdf = await readFile(pdfFile);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sha256(pdf)).toBe(row.pdf_sha256);
    expect(pdf.length).toBe(row.pdf_bytes);
    await copyFile(pdfFile, path.join(ARTIFACTS, 'monthly-report-2026-10.pdf'));

    const text = await pdfText(pdfFile);
    // Text in drawing order without spaces: a wrapped table cell reads whole.
    const flat = (await pdfText(pdfFile, 'raw')).replace(/\s+/g, '');
    for (const expected of [
      '省体育彩票管理中心',
      '运营数据月报',
      '2026年10月',
      // The portal dashboard's sections, then the report's own.
      '合同目标完成情况',
      '粉丝总数与目标',
      '周阅读量与基线',
      '热门文章',
      '营销活动效果',
      '内容配额进度',
      '发布时效（SLA）达标率',
      '本月发布时效统计',
      '发布异常',
      '粉丝总数（合同目标）',
      '每月原创文章',
      TOP_TITLE,
      '竞彩世界杯主题活动',
      '开奖公告 第26120期',
      '素材已被删除',
      LAST_FOLLOWERS.toLocaleString('en-US'),
      TOP_READS.toLocaleString('en-US'),
      '180,000',
      '75%',
    ])
      expect(flat, expected).toContain(expected.replace(/\s+/g, ''));
    // Extractable Chinese, not boxes or private-use glyphs.
    expect(text).not.toMatch(/[\uFFFD\uE000-\uF8FF]/);
    expect(cjkShare(text)).toBeGreaterThan(0.2);
    // The very long title is printed in full, wrapped (its opening and its end both appear).
    expect(flat).toContain(LONG_TITLE.slice(0, 20));
    expect(flat).toContain('专项行动（全文）');
    // The XSS title is shown as text and did not run in the printing browser.
    expect(flat).toContain('恶意标题测试');
    expect(flat).toContain('onerror');
    expect(text).not.toContain('XSS-EXECUTED');

    const [rendered, pages] = await renderPages(pdfFile, path.join(data.dir, 'pages'));
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(rendered).toBe(pages);

    // Announced once on the organisation's channel; the request is audited as the system's.
    const alerts = await db.selectFrom('alerts').selectAll().where('kind', '=', 'report_ready').execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.title).toBe('2026年10月运营数据月报');
    expect(await db.selectFrom('alert_deliveries').select('alert_id').execute()).toHaveLength(1);
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_kind'])
      .where('target_id', '=', report.id)
      .execute();
    expect(audit).toEqual([{ action: 'report.requested', actor_kind: 'system' }]);
  }, 60_000);

  it('writes the workbook with its sheets, and numbers as numbers', async () => {
    const { report } = await requestReport(ctx, lottery.orgId, '2026-10', null);
    const row = await reportRow(report.id);
    const xlsx = await readFile(path.join(data.dir, row.xlsx_path as string));
    expect(sha256(xlsx)).toBe(row.xlsx_sha256);
    await writeFile(path.join(ARTIFACTS, 'monthly-report-2026-10.xlsx'), xlsx);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'KPI 指标',
      '粉丝与阅读',
      '热门文章',
      '活动',
      '发布时效',
      '发布异常',
    ]);
    const daily = wb.getWorksheet('粉丝与阅读') as ExcelJS.Worksheet;
    expect(daily.rowCount).toBe(1 + 31);
    expect(daily.getRow(1).getCell(1).value).toBe('日期');
    expect(daily.getRow(32).getCell(1).value).toBe('2026-10-31');
    expect(daily.getRow(32).getCell(2).value).toBe(LAST_FOLLOWERS);
    const top = wb.getWorksheet('热门文章') as ExcelJS.Worksheet;
    expect(top.getRow(2).getCell(2).value).toBe(TOP_TITLE);
    expect(top.getRow(2).getCell(4).value).toBe(TOP_READS);
    expect(typeof top.getRow(2).getCell(4).value).toBe('number');
    expect(top.rowCount).toBe(11);
    const kpi = wb.getWorksheet('KPI 指标') as ExcelJS.Worksheet;
    expect(kpi.getRow(2).getCell(1).value).toBe('粉丝总数（合同目标）');
    expect(kpi.getRow(2).getCell(3).value).toBe(LAST_FOLLOWERS);
    expect(kpi.getRow(2).getCell(4).value).toBe(180_000);
    const sla = wb.getWorksheet('发布时效') as ExcelJS.Worksheet;
    expect(sla.getRow(2).values).toEqual([undefined, 3, 1, 0, 75]);
    expect((wb.getWorksheet('发布异常') as ExcelJS.Worksheet).getRow(2).getCell(5).value).toBe(
      '微信返回：素材已被删除',
    );
  });

  it('prints a month without data, an organisation without targets, and a chart with one point', async () => {
    const empty = await insertOrganisation(db, '市政务新媒体中心');
    const onePoint = await seedOnePoint(db);
    for (const [org, expected] of [
      [
        empty,
        ['尚未设置合同目标', '本月暂无数据', '本月暂无文章数据', '本月暂无营销活动', '本月没有发布异常'],
      ],
      [onePoint, ['尚未设置合同目标', '9,876']],
    ] as const) {
      const { report } = await requestReport(ctx, org, '2026-09', null);
      const done = await generateReport(ctx, report.id);
      expect(done.status).toBe('done');
      const row = await reportRow(report.id);
      const file = path.join(data.dir, row.pdf_path as string);
      const text = await pdfText(file);
      for (const e of expected) expect(text, e).toContain(e);
      const [rendered, pages] = await renderPages(file, path.join(data.dir, `pages-${org}`));
      expect(rendered).toBe(pages);
    }
  }, 60_000);

  it('is idempotent per organisation and month; regenerate adds v2 and keeps v1', async () => {
    const first = await requestReport(ctx, lottery.orgId, '2026-10', null);
    const again = await requestReport(ctx, lottery.orgId, '2026-10', null);
    expect(first.created).toBe(false);
    expect(again.report.id).toBe(first.report.id);
    expect(again.report.version).toBe(1);

    const v2 = await requestReport(ctx, lottery.orgId, '2026-10', null, { regenerate: true });
    expect(v2).toMatchObject({ created: true, report: { version: 2, status: 'queued' } });
    // While v2 is queued, a plain request returns it rather than queueing a third.
    expect((await requestReport(ctx, lottery.orgId, '2026-10', null)).report.id).toBe(v2.report.id);
    await generateReport(ctx, v2.report.id);
    const rows = await db
      .selectFrom('reports')
      .select(['version', 'status', 'pdf_path'])
      .where('organisation_id', '=', lottery.orgId)
      .where('month', '=', '2026-10-01')
      .orderBy('version')
      .execute();
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      [1, 'done'],
      [2, 'done'],
    ]);
    for (const r of rows)
      await expect(readFile(path.join(data.dir, r.pdf_path as string))).resolves.toBeTruthy();
    expect(
      await db.selectFrom('audit_log').select('action').where('action', '=', 'report.regenerated').execute(),
    ).toHaveLength(1);
    // A month that has not started is refused.
    await expect(requestReport(ctx, lottery.orgId, '2026-12', null)).rejects.toMatchObject({
      code: 'REPORT_MONTH_IN_FUTURE',
    });
    await expect(requestReport(ctx, lottery.orgId, '2026-13', null)).rejects.toMatchObject({
      code: 'INVALID_MONTH',
    });
  }, 60_000);

  it('the monthly scheduler requests last month for every organisation with accounts, once', async () => {
    const before = await db.selectFrom('reports').select('id').execute();
    const first = await requestMonthlyReports({ ...ctx, now: () => Date.parse('2026-12-01T06:00:00+08:00') });
    expect(first.month).toBe('2026-11');
    const orgsWithAccounts = await db.selectFrom('accounts').select('organisation_id').distinct().execute();
    expect(first.created).toBe(orgsWithAccounts.length);
    const second = await requestMonthlyReports({
      ...ctx,
      now: () => Date.parse('2026-12-01T06:05:00+08:00'),
    });
    expect(second.created).toBe(0);
    expect((await db.selectFrom('reports').select('id').execute()).length).toBe(
      before.length + orgsWithAccounts.length,
    );
  });

  it('retries a report when Chromium crashes mid-print, with a fresh browser', async () => {
    const { report } = await requestReport(ctx, lottery.orgId, '2026-08', null);
    const launches = renderer.stats.launches;
    let crashed = false;
    const crashing: PdfPrinter = {
      printToPdf: (html, opts) => {
        const printing = renderer.printToPdf(html, opts);
        if (!crashed) {
          crashed = true;
          // The browser is warm: kill it while this page is being laid out and printed.
          setTimeout(() => renderer.browser?.process()?.kill('SIGKILL'), 80);
        }
        return printing;
      },
    };
    const done = await generateReport({ ...ctx, printer: crashing }, report.id);
    expect(done.status).toBe('done');
    expect(done.attempts).toBe(2);
    expect(renderer.stats.crashes).toBeGreaterThanOrEqual(1);
    expect(renderer.stats.launches).toBe(launches + 1);
  }, 60_000);

  it('fails a report with the reason after the last try, and at once when Chromium is missing', async () => {
    const alwaysCrashing: PdfPrinter = {
      printToPdf: async () => {
        throw new AppError('CHROMIUM_CRASHED', 'Chromium stopped while printing: Target closed', 503);
      },
    };
    const crash = await requestReport(ctx, lottery.orgId, '2026-07', null);
    const err = await generateReport(
      { ...ctx, printer: alwaysCrashing, maxAttempts: 3 },
      crash.report.id,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ReportFailedError);
    const failed = await reportRow(crash.report.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failed.error).toMatch(/^CHROMIUM_CRASHED: /);
    // A request after a failure starts the next version.
    expect((await requestReport(ctx, lottery.orgId, '2026-07', null)).report.version).toBe(2);

    const missing = new PdfRenderer({ executablePath: '/nonexistent/chromium' });
    await expect(missing.printToPdf('<p>x</p>')).rejects.toMatchObject({
      code: 'CHROMIUM_MISSING',
      message: expect.stringContaining('CHROMIUM_PATH'),
    });
    await expect(new PdfRenderer({ executablePath: null }).printToPdf('<p>x</p>')).rejects.toMatchObject({
      code: 'CHROMIUM_MISSING',
    });
    const noBrowser = await requestReport(ctx, lottery.orgId, '2026-06', null);
    await expect(generateReport({ ...ctx, printer: missing }, noBrowser.report.id)).rejects.toBeInstanceOf(
      ReportFailedError,
    );
    const row = await reportRow(noBrowser.report.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.error).toMatch(/^CHROMIUM_MISSING: .*apt-get install chromium/);
  }, 60_000);

  it('a requested report goes through the reports queue to a worker and comes out done', async () => {
    const redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    const prefix = uniqueName('t-rep').toLowerCase();
    const queues = createQueues(redis, prefix, silentLogger);
    const queued: ReportsContext = { ...ctx, enqueue: reportEnqueuer(queues.reports) };
    const pool = startWorkerPool(
      { 'report-generate': JOBS['report-generate'] },
      { 'report-generate': reportGenerateProcessor(queued) },
      { connection: redis, prefix, logger: silentLogger, concurrency: { reports: 1 } },
    );
    try {
      const { report } = await requestReport(queued, lottery.orgId, '2026-05', null);
      const job = await queues.reports.getJob(`report-${lottery.orgId}-2026-05-v1`);
      expect(job?.name).toBe('report-generate');
      const deadline = Date.now() + 30_000;
      let status = report.status;
      while (status !== 'done' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        status = (
          await db
            .selectFrom('reports')
            .select('status')
            .where('id', '=', report.id)
            .executeTakeFirstOrThrow()
        ).status;
      }
      expect(status).toBe('done');
    } finally {
      await pool.close(5000);
      await closeQueues(queues);
      await clearPrefix(redis, prefix);
      await redis.quit();
    }
  }, 60_000);

  it('blocks every network request from the printed page', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const pdf = await renderer.printToPdf(
        `<html><head><link rel="stylesheet" href="${url}/a.css"></head><body><img src="${url}/b.png"><p>外部资源</p><script>fetch('${url}/c').catch(()=>{})</script></body></html>`,
        { readyExpression: 'true' },
      );
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      // Served with its own files, a page gets those and nothing else: an unlisted path is a 404, the
      // outside world is still refused, and a script from elsewhere does not run.
      const served: string[] = [];
      const own = await renderer.printToPdf(
        `<html><head><link rel="stylesheet" href="/own.css"><script src="/own.js"></script><script src="${url}/d.js"></script></head>
<body><p>自有资源</p><img src="/missing.png"><img src="${url}/e.png"></body></html>`,
        {
          readyExpression: 'window.ownScriptRan === true',
          files: (pathname) => {
            served.push(pathname);
            if (pathname === '/own.css')
              return { body: Buffer.from('p{color:red}'), contentType: 'text/css' };
            if (pathname === '/own.js')
              return { body: Buffer.from('window.ownScriptRan = true'), contentType: 'text/javascript' };
            return null;
          },
        },
      );
      expect(own.subarray(0, 5).toString()).toBe('%PDF-');
      // (Chromium also asks the origin for /favicon.ico, which is not there either.)
      expect(served.filter((p) => p !== '/favicon.ico').sort()).toEqual([
        '/missing.png',
        '/own.css',
        '/own.js',
      ]);
      await new Promise((r) => setTimeout(r, 200));
      expect(hits).toBe(0);
    } finally {
      server.close();
    }
  }, 30_000);

  it('recycles the browser after N prints, shares its page pool, and times out a page that never gets ready', async () => {
    const small = new PdfRenderer({
      executablePath: chromium,
      poolSize: 2,
      recycleAfter: 3,
      pageTimeoutMs: 5000,
    });
    try {
      const page = '<p>小页面</p><script>window.__reportReady = true</script>';
      const pdfs = await Promise.all(Array.from({ length: 5 }, () => small.printToPdf(page)));
      expect(pdfs.every((p) => p.subarray(0, 5).toString() === '%PDF-')).toBe(true);
      expect(small.stats).toMatchObject({ printed: 5, launches: 2, crashes: 0 });
      await expect(small.printToPdf('<p>永远不会就绪</p>')).rejects.toMatchObject({ code: 'RENDER_TIMEOUT' });
      // The page that timed out was thrown away; the next print still works.
      await expect(small.printToPdf(page)).resolves.toBeInstanceOf(Buffer);
    } finally {
      await small.close();
    }
  }, 60_000);

  it('escapes user content in the page it prints', async () => {
    const page = renderReportPage(await gatherReportData(db, lottery.orgId, '2026-10'), new Date(NOW));
    // User content reaches the page only as escaped JSON, which the module sets as text (the CSP, which
    // admits only the page's own scripts, is the second line of defence).
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).toContain(scriptJson(XSS_TITLE));
    const pdf = await renderer.printToPdf(page.html, page);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 60_000);
});

/** An organisation with one account and a single day of figures in September 2026. */
async function seedOnePoint(db: Kysely<Database>): Promise<string> {
  const org = await insertOrganisation(db, '县融媒体中心');
  const account = await insertWechatAccount(db, org, `county_${org.slice(0, 6)}`);
  await writeMetrics(db, account, {
    accountDays: [{ date: '2026-09-15', followers: 9876, newFollowers: 3, lostFollowers: 1, reads: 321 }],
    articleDays: [],
  });
  return org;
}

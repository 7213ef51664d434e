/**
 * `npm run bench:report` — monthly report generation (issue 8): target median < 2 s per report with a
 * warm browser, reported as a ratio to launching a fresh browser per report, measured interleaved in
 * the same run; then BENCH_REPORTS (100) reports in a row with the warm renderer (browser replaced
 * every REPORT_BROWSER_RECYCLE_AFTER = 50 prints), sampling the peak RSS of the browser's process
 * tree and of this process (the worker's part: data, HTML, workbook).
 *
 * One report = gather the month's data from PostgreSQL + render the HTML + print the PDF (system
 * Chromium, fonts-noto-cjk) + build the XLSX; the PDF print alone is reported too. The organisation
 * is the test seed: three months of daily figures, articles, targets, a campaign, SLA, an incident.
 * BENCH_PAIRS (8) interleaved warm/fresh pairs.
 */
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../core/config/config.js';
import { buildWorkbook } from '../core/reports/excel.js';
import { gatherReportData } from '../core/reports/report.data.js';
import { renderReportPage } from '../dashboard/portal/report.page.js';
import { CHROMIUM_INSTALL_HINT, findChromium } from '../integrations/pdf/chromium.js';
import { PdfRenderer } from '../integrations/pdf/pdf-renderer.js';
import { createMigratedDatabase } from '../tests/helpers/services.js';
import { seedLotteryCentre } from '../tests/reports/seed.js';
import { summary } from './stats.js';

const REPORTS = Number(process.env.BENCH_REPORTS ?? 100);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 8);
const MONTH = '2026-10';

const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Memory (MB) of a process and all its descendants, from /proc: the sum of PSS (shared pages divided
 * among the processes sharing them), since Chromium's processes share most of their libraries and a
 * sum of RSS would count them many times.
 */
async function treeRssMb(root: number): Promise<number> {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? -1);
    parents.set(pid, ppid);
    const smaps = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    rss.set(pid, Number(/Pss:\s+(\d+)/.exec(smaps)?.[1] ?? 0));
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 0 && hops < 50; p = parents.get(p) ?? 0, hops++)
      if (p === root) return true;
    return false;
  };
  let kb = 0;
  for (const [pid, v] of rss) if (inTree(pid)) kb += v;
  return kb / 1024;
}

async function selfPeakMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const executablePath = await findChromium(config.chromiumPath, config.systemPath);
  if (!executablePath) throw new Error(`No Chromium. ${CHROMIUM_INSTALL_HINT}`);
  const database = await createMigratedDatabase();
  const { orgId } = await seedLotteryCentre(database.db);
  const warm = new PdfRenderer({ executablePath, poolSize: 1 });
  try {
    const report = async (renderer: PdfRenderer) => {
      const t0 = performance.now();
      const data = await gatherReportData(database.db, orgId, MONTH);
      const page = renderReportPage(data, new Date());
      const t1 = performance.now();
      const pdf = await renderer.printToPdf(page.html, page);
      const t2 = performance.now();
      await buildWorkbook(data, new Date());
      const t3 = performance.now();
      return { total: t3 - t0, print: t2 - t1, bytes: pdf.length };
    };
    await warm.warm();
    await report(warm); // first print: page creation and font loading, not counted

    const warmTotals: number[] = [];
    const warmPrints: number[] = [];
    const freshTotals: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const w = await report(warm);
      const fresh = new PdfRenderer({ executablePath, poolSize: 1 });
      const t = performance.now();
      await report(fresh);
      await fresh.close();
      const freshTotal = performance.now() - t; // launch + report + close, as a per-report browser costs
      warmTotals.push(w.total);
      warmPrints.push(w.print);
      freshTotals.push(freshTotal);
      ratios.push(freshTotal / w.total);
    }

    const inRow: number[] = [];
    let browserPeak = 0;
    let pdfBytes = 0;
    // The memory sampling walks every process in /proc: timed apart, so the run's wall time is the reports'.
    let samplingMs = 0;
    const t0 = performance.now();
    for (let i = 0; i < REPORTS; i++) {
      const r = await report(warm);
      inRow.push(r.total);
      pdfBytes = r.bytes;
      const pid = warm.browser?.process()?.pid;
      const s = performance.now();
      if (pid) browserPeak = Math.max(browserPeak, await treeRssMb(pid));
      samplingMs += performance.now() - s;
    }
    const rowS = (performance.now() - t0 - samplingMs) / 1000;

    const w = summary(warmTotals);
    const p = summary(warmPrints);
    const f = summary(freshTotals);
    const q = summary(ratios);
    const row = summary(inRow);
    out(
      `report benchmark: ${MONTH}, system Chromium ${executablePath}, PDF ${Math.round(pdfBytes / 1024)} KB`,
    );
    out(
      `warm browser, whole report   median ${w.p50.toFixed(0)} ms (${w.min.toFixed(0)}–${w.max.toFixed(0)}), ${PAIRS} reports  target median < 2000 ms`,
    );
    out(
      `warm browser, PDF print only median ${p.p50.toFixed(0)} ms (${p.min.toFixed(0)}–${p.max.toFixed(0)})`,
    );
    out(
      `fresh browser per report     median ${f.p50.toFixed(0)} ms (${f.min.toFixed(0)}–${f.max.toFixed(0)}) (launch + report + close)`,
    );
    out(`fresh ÷ warm                 median ${q.p50.toFixed(2)} (${q.min.toFixed(2)}–${q.max.toFixed(2)})`);
    out(
      `${REPORTS} reports in a row       ${rowS.toFixed(1)} s (+ ${(samplingMs / 1000).toFixed(1)} s sampling memory), median ${row.p50.toFixed(0)} ms, p90 ${row.p90.toFixed(0)} ms, max ${row.max.toFixed(0)} ms; browser launches ${warm.stats.launches}, crashes ${warm.stats.crashes}`,
    );
    out(
      `peak memory                  browser tree ${browserPeak.toFixed(0)} MB PSS (sampled after each report), worker process ${(await selfPeakMb()).toFixed(0)} MB`,
    );
  } finally {
    await warm.close();
    await database.drop();
  }
}

await main();

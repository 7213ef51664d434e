import { escapeHtml as e, scriptJson } from '../../core/html.js';
import type { ReportData } from '../../core/reports/report.data.js';
import { fmt, INCIDENT_LABELS, monthLabel, pct, shanghaiTime } from '../../core/reports/report.labels.js';
import { portalAssets } from './assets.js';
import { dashboardPanels } from './dashboard.page.js';
import { portalShell } from './layout.js';

/**
 * The monthly report (运营数据月报) as a portal page: the dashboard's own sections, stylesheet and
 * drawing code (portal-sections.js) fed with the month's data embedded in the page, plus print CSS, a
 * cover and the parts only the report has (the month's SLA counts and publishing incidents).
 * The printer loads it from a private origin that answers only with `files` (no network), under a CSP
 * that admits only these scripts; every string from the data is escaped, or set as text by the module.
 * portal-report.js sets `window.__reportReady = true` once the charts are drawn.
 */

export interface ReportPage {
  html: string;
  /** Text for the printer's page footer (escaped HTML). */
  footerTemplate: string;
  /** The page's stylesheets and scripts, by URL path. */
  files: (pathname: string) => { body: Buffer; contentType: string } | null;
}

function table(headers: string[], rows: string[][], opts: { numeric?: number[]; empty: string }): string {
  if (rows.length === 0) return `<p class="empty">${e(opts.empty)}</p>`;
  const numeric = new Set(opts.numeric ?? []);
  const cls = (i: number) => (numeric.has(i) ? ' class="num"' : '');
  const head = headers.map((h, i) => `<th scope="col"${cls(i)}>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table class="data"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const section = (id: string, heading: string, inner: string) =>
  `<section class="panel" id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${e(heading)}</h2>\n${inner}\n</section>`;

export function renderReportPage(data: ReportData, generatedAt: Date): ReportPage {
  const orgName = e(data.organisation.name);
  const month = monthLabel(data.month);
  const p = dashboardPanels('本月');

  const s = data.sla;
  const sla = section(
    'sla-month',
    '本月发布时效统计',
    `${table(
      ['按时发布', '超时发布', '待定', '按时率'],
      [[fmt(s.met), fmt(s.missed), fmt(s.pending), pct(s.rate)]],
      {
        numeric: [0, 1, 2, 3],
        empty: '',
      },
    )}
<p class="muted">工作日审定后 1 小时内、非工作日 2 小时内发布为按时；按本月审定的内容统计。</p>`,
  );
  const incidents = section(
    'incidents',
    '发布异常',
    table(
      ['时间', '标题', '账号', '情况', '原因'],
      data.incidents.map((i) => [
        e(shanghaiTime(i.at)),
        e(i.title),
        e(i.account),
        e(INCIDENT_LABELS[i.outcome] ?? i.outcome),
        e(i.reason || '—'),
      ]),
      { empty: '本月没有发布异常。' },
    ),
  );

  const html = portalShell({
    title: `${data.organisation.name} ${month}运营数据月报`,
    page: 'report',
    styles: ['portal-print.css'],
    scripts: ['chart.umd.js'],
    modules: ['portal-report.js'],
    body: `<div class="cover">
  <div class="org">${orgName}</div>
  <div class="title">运营数据月报</div>
  <div class="month">${month}</div>
  <div class="period">统计周期：${e(data.from)} 至 ${e(data.to)}（北京时间）<br>生成时间：${e(shanghaiTime(generatedAt.toISOString()))}</div>
</div>
<main id="main" class="report">
${p.kpi}
${p.followers}
${p.reads}
${p.topArticles}
${p.campaigns}
${p.quotas}
${p.sla}
${sla}
${incidents}
</main>
<script type="application/json" id="report-data">${scriptJson({ kpi: data.kpi, daily: data.daily, weekly: data.weekly, campaigns: data.campaigns, topArticles: data.topArticles })}</script>`,
  });

  const footerTemplate = `<div style="width:100%;font-size:8px;color:#7b8794;padding:0 12mm;font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;display:flex;justify-content:space-between"><span>${orgName} · ${month}运营数据月报</span><span>第 <span class="pageNumber"></span> / <span class="totalPages"></span> 页</span></div>`;
  const files = (pathname: string) => {
    const prefix = `${portalAssets.prefix}/`;
    return pathname.startsWith(prefix) ? portalAssets.get(pathname.slice(prefix.length)) : null;
  };
  return { html, footerTemplate, files };
}

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { escapeHtml, scriptJson } from '../html.js';
import type { KpiStatus } from '../kpi/kpi.compute.js';
import type { ReportData } from './report.data.js';

/**
 * The monthly report as one self-contained HTML page: the printer (headless Chromium) loads it with
 * every network request refused, so chart.js is inlined and nothing is fetched. Every string from the
 * data is escaped, and a Content-Security-Policy with a per-page nonce lets only our two scripts run
 * (an `onerror=` that slipped through escaping would still be refused). The page sets
 * `window.__reportReady = true` once the charts are drawn.
 */

let chartJs: string | null = null;
function chartJsSource(): string {
  if (chartJs === null) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(path.join(path.dirname(entry), 'chart.umd.js'), 'utf8');
  }
  return chartJs;
}

const integer = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });
export const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? integer.format(v) : decimal.format(v);
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${decimal.format(v)}%`);

export const STATUS_LABELS: Record<KpiStatus, string> = {
  on_track: '正常',
  at_risk: '有风险',
  off_track: '落后',
};
export const CAMPAIGN_TYPES: Record<string, string> = {
  marketing: '营销活动',
  theme: '主题活动',
  topic: '专题',
};
export const INCIDENT_LABELS: Record<string, string> = {
  failed: '发布失败',
  unconfirmed: '结果待确认',
  abandoned: '已放弃',
};

export function monthLabel(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

const e = escapeHtml;
/** Beijing time as `YYYY-MM-DD HH:mm` (UTC+8 all year). */
export const shanghaiTime = (iso: string) =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

function table(headers: string[], rows: string[][], opts: { numeric?: number[]; empty: string }): string {
  if (rows.length === 0) return `<p class="empty">${e(opts.empty)}</p>`;
  const numeric = new Set(opts.numeric ?? []);
  const head = headers.map((h, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${e(h)}</th>`).join('');
  const body = rows
    .map(
      (r) => `<tr>${r.map((c, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const statusCell = (s: KpiStatus) => `<span class="status ${s}">${STATUS_LABELS[s]}</span>`;

interface ChartSpec {
  id: string;
  type: 'line' | 'bar';
  labels: string[];
  series: Array<{ label: string; data: Array<number | null>; color: string }>;
}

function chartBlock(spec: ChartSpec, caption: string): string {
  if (spec.labels.length === 0) return `<p class="empty">本月暂无${e(caption)}数据。</p>`;
  return `<figure class="chart"><canvas id="${spec.id}" width="1360" height="520" role="img" aria-label="${e(caption)}"></canvas><figcaption>${e(caption)}（数据见下表）</figcaption></figure>`;
}

const CSS = `
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; font-size: 10.5pt; color: #1f2933; margin: 0; line-height: 1.5; }
.cover { height: 260mm; display: flex; flex-direction: column; justify-content: center; align-items: center; text-align: center; break-after: page; page-break-after: always; }
.cover .org { font-size: 26pt; font-weight: 700; overflow-wrap: anywhere; max-width: 170mm; }
.cover .title { font-size: 22pt; margin-top: 10mm; letter-spacing: 0.1em; }
.cover .month { font-size: 16pt; margin-top: 6mm; color: #52606d; }
.cover .period { font-size: 11pt; margin-top: 30mm; color: #7b8794; }
h2 { font-size: 15pt; border-left: 4px solid #c0392b; padding-left: 3mm; margin: 8mm 0 3mm; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; page-break-after: avoid; }
section { margin-bottom: 6mm; }
section.major { break-before: page; page-break-before: always; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 4mm; font-size: 9pt; table-layout: auto; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #cbd2d9; padding: 1.2mm 2mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
th { background: #f0f4f8; font-weight: 700; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.status { font-weight: 700; padding: 0 1.5mm; border-radius: 2px; white-space: nowrap; }
.status.on_track { color: #1e7b34; background: #e3f9e5; }
.status.at_risk { color: #8d6708; background: #fffbea; }
.status.off_track { color: #ab091e; background: #ffe3e3; }
.summary { display: flex; gap: 4mm; margin: 2mm 0 4mm; }
.summary div { flex: 1; border: 1px solid #cbd2d9; border-radius: 2px; padding: 2mm 3mm; }
.summary b { display: block; font-size: 16pt; }
figure.chart { margin: 2mm 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart canvas { width: 180mm; height: 68.8mm; display: block; }
figcaption { font-size: 8.5pt; color: #7b8794; }
.empty { color: #7b8794; font-style: italic; }
.note { font-size: 8.5pt; color: #7b8794; }
`;

/** The chart script: reads the specs, draws each chart without animation, then signals readiness. */
const CHART_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('chart-data').textContent);
  Chart.defaults.font.family = '"Noto Sans CJK SC", "Noto Sans SC", sans-serif';
  Chart.defaults.font.size = 20;
  Chart.defaults.animation = false;
  specs.forEach(function (s) {
    var el = document.getElementById(s.id);
    if (!el) return;
    new Chart(el, {
      type: s.type,
      data: { labels: s.labels, datasets: s.series.map(function (d) {
        return { label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color,
          pointRadius: s.labels.length === 1 ? 6 : 2, borderWidth: 3, spanGaps: true };
      }) },
      options: { responsive: false, animation: false, devicePixelRatio: 1,
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { beginAtZero: s.type === 'bar' } } }
    });
  });
  window.__reportReady = true;
})();
`;

export interface RenderedReport {
  html: string;
  /** Text for the printer's page footer (escaped HTML). */
  footerTemplate: string;
}

export function renderReportHtml(data: ReportData, generatedAt: Date): RenderedReport {
  const nonce = randomBytes(16).toString('base64');
  const orgName = e(data.organisation.name);
  const month = monthLabel(data.month);

  const charts: ChartSpec[] = [
    {
      id: 'chart-followers',
      type: 'line',
      labels: data.daily.map((d) => d.date.slice(5)),
      series: [{ label: '粉丝总数', data: data.daily.map((d) => d.followers), color: '#c0392b' }],
    },
    {
      id: 'chart-reads',
      type: 'bar',
      labels: data.daily.map((d) => d.date.slice(5)),
      series: [{ label: '阅读量', data: data.daily.map((d) => d.reads), color: '#2f80ed' }],
    },
    {
      id: 'chart-weekly',
      type: 'line',
      labels: data.weekly.map((w) => w.weekStart),
      series: [{ label: '周阅读量', data: data.weekly.map((w) => w.reads), color: '#27ae60' }],
    },
  ];

  const k = data.kpi;
  const kpiSection = `
<section>
  <h2>一、KPI 指标完成情况</h2>
  <p class="note">截至 ${e(data.to)}（北京时间）按合同目标评估。</p>
  ${
    k.rows.length === 0
      ? '<p class="empty">本单位尚未设置 KPI 目标。</p>'
      : `<div class="summary"><div>正常<b>${k.counts.on_track}</b></div><div>有风险<b>${k.counts.at_risk}</b></div><div>落后<b>${k.counts.off_track}</b></div></div>
  ${table(
    ['指标', '当前值', '目标值', '目标日期', '完成率', '状态', '说明'],
    k.rows.map((r) => [
      e(r.name),
      fmt(r.current),
      fmt(r.target),
      e(r.targetDate ?? '—'),
      pct(r.percent),
      statusCell(r.status),
      e(r.statusReason),
    ]),
    { numeric: [1, 2, 4], empty: '' },
  )}`
  }
</section>`;

  const dailyRows = data.daily.map((d) => [
    e(d.date),
    fmt(d.followers),
    fmt(d.netFollowers),
    fmt(d.reads),
    fmt(d.shares),
  ]);
  const growthSection = `
<section class="major">
  <h2>二、粉丝与阅读</h2>
  <h3>粉丝总数（日）</h3>
  ${chartBlock(charts[0] as ChartSpec, '粉丝总数')}
  <h3>阅读量（日）</h3>
  ${chartBlock(charts[1] as ChartSpec, '阅读量')}
  <h3>每日数据</h3>
  ${table(['日期', '粉丝总数', '净增粉丝', '阅读量', '分享量'], dailyRows, {
    numeric: [1, 2, 3, 4],
    empty: '本月暂无粉丝与阅读数据。',
  })}
  <h3>近 12 个月周阅读量</h3>
  ${chartBlock(charts[2] as ChartSpec, '周阅读量')}
  ${table(
    ['周（周一）', '粉丝总数', '周阅读量'],
    data.weekly.map((w) => [e(w.weekStart), fmt(w.followers), fmt(w.reads)]),
    { numeric: [1, 2], empty: '近 12 个月暂无周数据。' },
  )}
</section>`;

  const articlesSection = `
<section class="major">
  <h2>三、本月热门文章 TOP 10</h2>
  ${table(
    ['排名', '标题', '账号', '阅读量', '分享量'],
    data.topArticles.map((a, i) => [String(i + 1), e(a.title), e(a.account), fmt(a.reads), fmt(a.shares)]),
    { numeric: [0, 3, 4], empty: '本月暂无文章数据。' },
  )}
</section>`;

  const campaignsSection = `
<section>
  <h2>四、活动开展情况</h2>
  ${table(
    ['活动', '类型', '起止日期', '阅读量', '分享量', '净增粉丝', '达成目标'],
    data.campaigns.map((c) => [
      e(c.name),
      e(CAMPAIGN_TYPES[c.type] ?? c.type),
      `${e(c.startsOn)} 至 ${e(c.endsOn)}`,
      fmt(c.reads),
      fmt(c.shares),
      fmt(c.netFollowers),
      c.goalsMeasured === 0 ? '—' : `${c.goalsMet} / ${c.goalsMeasured}`,
    ]),
    { numeric: [3, 4, 5], empty: '本月没有进行中的活动。' },
  )}
</section>`;

  const quotasSection = `
<section>
  <h2>五、内容数量指标</h2>
  ${table(
    ['指标', '考核周期', '要求', '已完成', '尚差', '状态'],
    data.quotas.map((q) => [
      e(q.name),
      `${e(q.periodStart)} 至 ${e(q.periodEnd)}`,
      fmt(q.required),
      fmt(q.done),
      fmt(q.remaining),
      statusCell(q.status),
    ]),
    { numeric: [2, 3, 4], empty: '本单位未设置数量指标。' },
  )}
</section>`;

  const s = data.sla;
  const slaSection = `
<section>
  <h2>六、发布时效（审定后按时发布）</h2>
  ${table(
    ['按时发布', '超时发布', '待定', '按时率'],
    [[fmt(s.met), fmt(s.missed), fmt(s.pending), pct(s.rate)]],
    { numeric: [0, 1, 2, 3], empty: '' },
  )}
  <p class="note">工作日审定后 1 小时内、非工作日 2 小时内发布为按时；按本月审定的内容统计。</p>
</section>`;

  const incidentsSection = `
<section>
  <h2>七、发布异常</h2>
  ${table(
    ['时间', '标题', '账号', '情况', '原因'],
    data.incidents.map((i) => [
      e(shanghaiTime(i.at)),
      e(i.title),
      e(i.account),
      e(INCIDENT_LABELS[i.outcome] ?? i.outcome),
      e(i.reason || '—'),
    ]),
    { empty: '本月没有发布异常。' },
  )}
</section>`;

  const html = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>${orgName} ${month}运营数据月报</title>
<style>${CSS}</style>
</head>
<body>
<div class="cover">
  <div class="org">${orgName}</div>
  <div class="title">运营数据月报</div>
  <div class="month">${month}</div>
  <div class="period">统计周期：${e(data.from)} 至 ${e(data.to)}（北京时间）<br>生成时间：${e(shanghaiTime(generatedAt.toISOString()))}</div>
</div>
${kpiSection}
${growthSection}
${articlesSection}
${campaignsSection}
${quotasSection}
${slaSection}
${incidentsSection}
<script id="chart-data" type="application/json">${scriptJson(charts.filter((c) => c.labels.length > 0))}</script>
<script nonce="${nonce}">${chartJsSource()}</script>
<script nonce="${nonce}">${CHART_SCRIPT}</script>
</body>
</html>`;

  const footerTemplate = `<div style="width:100%;font-size:8px;color:#7b8794;padding:0 12mm;font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;display:flex;justify-content:space-between"><span>${orgName} · ${month}运营数据月报</span><span>第 <span class="pageNumber"></span> / <span class="totalPages"></span> 页</span></div>`;
  return { html, footerTemplate };
}

import { portalHeader, portalShell } from './layout.js';

/**
 * The dashboard's sections: empty frames that portal-sections.js fills from the API's JSON. The live
 * dashboard and the monthly report are built from these same frames and the same drawing code.
 */

/** A chart with its figures as a table (copy-paste and screen readers). */
function chartPanel(id: string, heading: string, note: string, range: string): string {
  return `<section class="panel" aria-labelledby="${id}-h">
  <h2 id="${id}-h">${heading}</h2>
  <p class="muted note" id="${id}-note">${note}</p>
  <div class="chart-box"><canvas id="${id}-chart" role="img" aria-label="${heading}"></canvas></div>
  <p class="empty" id="${id}-empty" hidden>${range}暂无数据</p>
  <details>
    <summary>查看数据表</summary>
    <div class="table-wrap" id="${id}-table"></div>
  </details>
</section>`;
}

function panel(id: string, heading: string, inner: string): string {
  return `<section class="panel" aria-labelledby="${id}-h">
  <h2 id="${id}-h">${heading}</h2>
  ${inner}
</section>`;
}

/** The panels; `range` names the period in empty states: the chosen range, or the report's month. */
export const dashboardPanels = (range = '所选范围内') => ({
  kpi: panel(
    'kpi',
    '合同目标完成情况',
    '<p id="kpi-summary" class="muted"></p>\n  <div id="kpi-cards" class="cards"></div>',
  ),
  followers: chartPanel(
    'followers',
    '粉丝总数与目标',
    '实线为粉丝总数；圆点为合同节点目标；虚线为按近 12 周趋势的预测。',
    range,
  ),
  reads: chartPanel(
    'reads',
    '周阅读量与基线',
    '每周（周一至周日）阅读量；横线为基线及 +10%、+20% 目标线。',
    range,
  ),
  quotas: panel('quota', '内容配额进度', '<div id="quotas"></div>'),
  sla: panel('sla', '发布时效（SLA）达标率', '<div id="sla"></div>'),
  campaigns: panel('campaigns', '营销活动效果', '<div id="campaigns" class="table-wrap"></div>'),
  topArticles: panel('top-articles', '热门文章', '<div id="top-articles" class="table-wrap"></div>'),
});

/** The client's dashboard: filters, KPI cards, charts with tables, quotas, SLA, campaigns, top articles, reports. */
export function portalDashboardPage(): string {
  const p = dashboardPanels();
  return portalShell({
    title: '数据看板',
    page: 'dashboard',
    scripts: ['chart.umd.js'],
    modules: ['portal-dashboard.js'],
    body: `${portalHeader('dashboard')}
<main id="main">
  <h1>数据看板</h1>
  <form id="filters" class="filters" aria-label="筛选条件">
    <div><label for="from">开始日期</label><input type="date" id="from" name="from" required></div>
    <div><label for="to">结束日期</label><input type="date" id="to" name="to" required></div>
    <div><label for="granularity">统计粒度</label>
      <select id="granularity" name="granularity">
        <option value="day">按日</option><option value="week" selected>按周</option><option value="month">按月</option>
      </select></div>
    <div><label for="account">账号</label>
      <select id="account" name="account"><option value="">全部账号</option></select></div>
    <button type="submit" class="btn">应用筛选</button>
  </form>
  <p id="status" class="muted" role="status" aria-live="polite">正在加载…</p>
  <p id="error" class="error" role="alert" hidden></p>
  ${[p.kpi, p.followers, p.reads, p.quotas, p.sla, p.campaigns, p.topArticles].join('\n  ')}
  ${panel('reports', '月度报告下载', '<div id="reports" class="table-wrap"></div>')}
</main>`,
  });
}

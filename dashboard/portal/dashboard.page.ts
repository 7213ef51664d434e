import { portalHeader, portalShell } from './layout.js';

/** A chart with its figures as a table (copy-paste and screen readers); portal-dashboard.js fills both. */
function chartSection(id: string, heading: string, note: string): string {
  return `<section class="panel" aria-labelledby="${id}-h">
  <h2 id="${id}-h">${heading}</h2>
  <p class="muted note" id="${id}-note">${note}</p>
  <div class="chart-box"><canvas id="${id}-chart" role="img" aria-label="${heading}"></canvas></div>
  <p class="empty" id="${id}-empty" hidden>所选范围内暂无数据</p>
  <details>
    <summary>查看数据表</summary>
    <div class="table-wrap" id="${id}-table"></div>
  </details>
</section>`;
}

/** The client's dashboard: filters, KPI cards, charts with tables, quotas, campaigns, SLA, reports. */
export function portalDashboardPage(): string {
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

  <section class="panel" aria-labelledby="kpi-h">
    <h2 id="kpi-h">合同目标完成情况</h2>
    <p id="kpi-summary" class="muted"></p>
    <div id="kpi-cards" class="cards"></div>
  </section>

  ${chartSection('followers', '粉丝总数与目标', '实线为粉丝总数；圆点为合同节点目标；虚线为按近 12 周趋势的预测。')}
  ${chartSection('reads', '周阅读量与基线', '每周（周一至周日）阅读量；横线为基线及 +10%、+20% 目标线。')}

  <section class="panel" aria-labelledby="quota-h">
    <h2 id="quota-h">内容配额进度</h2>
    <div id="quotas"></div>
  </section>

  <section class="panel" aria-labelledby="sla-h">
    <h2 id="sla-h">发布时效（SLA）达标率</h2>
    <div id="sla"></div>
  </section>

  <section class="panel" aria-labelledby="campaigns-h">
    <h2 id="campaigns-h">营销活动效果</h2>
    <div id="campaigns" class="table-wrap"></div>
  </section>

  <section class="panel" aria-labelledby="reports-h">
    <h2 id="reports-h">月度报告下载</h2>
    <div id="reports" class="table-wrap"></div>
  </section>
</main>`,
  });
}

import { inLang, type PortalLang } from './lang.js';
import { portalHeader, portalShell } from './layout.js';

/**
 * The dashboard's sections: empty frames that portal-sections.js fills from the API's JSON. The live
 * dashboard and the monthly report are built from these same frames and the same drawing code.
 */

/** A chart with its figures as a table (copy-paste and screen readers). */
function chartPanel(id: string, heading: string, note: string, empty: string, summary: string): string {
  return `<section class="panel" aria-labelledby="${id}-h">
  <h2 id="${id}-h">${heading}</h2>
  <p class="muted note" id="${id}-note">${note}</p>
  <div class="chart-box"><canvas id="${id}-chart" role="img" aria-label="${heading}"></canvas></div>
  <p class="empty" id="${id}-empty" hidden>${empty}</p>
  <details>
    <summary>${summary}</summary>
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

/**
 * The panels; `range` names the period in empty states: the chosen range, or the report's month. The
 * report is always Chinese; the English dashboard passes its own range words.
 */
export const dashboardPanels = (range = '所选范围内', lang: PortalLang = 'zh-CN') => {
  const t = (zh: string, en: string) => inLang(lang, zh, en);
  const empty = t(`${range}暂无数据`, `No data ${range}`);
  const summary = t('查看数据表', 'Show data table');
  return {
    kpi: panel(
      'kpi',
      t('合同目标完成情况', 'Contract targets'),
      '<p id="kpi-summary" class="muted"></p>\n  <div id="kpi-cards" class="cards"></div>',
    ),
    followers: chartPanel(
      'followers',
      t('粉丝总数与目标', 'Followers and targets'),
      t(
        '实线为粉丝总数；圆点为合同节点目标；虚线为按近 12 周趋势的预测。',
        'Solid line: total followers; diamonds: contract milestone targets; dashed line: forecast from the last 12 weeks’ trend.',
      ),
      empty,
      summary,
    ),
    reads: chartPanel(
      'reads',
      t('周阅读量与基线', 'Weekly reads and baseline'),
      t(
        '每周（周一至周日）阅读量；横线为基线及 +10%、+20% 目标线。',
        'Reads per week (Monday to Sunday); horizontal lines: the baseline and the +10% and +20% targets.',
      ),
      empty,
      summary,
    ),
    quotas: panel('quota', t('内容配额进度', 'Content quotas'), '<div id="quotas"></div>'),
    sla: panel('sla', t('发布时效（SLA）达标率', 'Publishing on time (SLA)'), '<div id="sla"></div>'),
    campaigns: panel(
      'campaigns',
      t('营销活动效果', 'Campaign results'),
      '<div id="campaigns" class="table-wrap"></div>',
    ),
    topArticles: panel(
      'top-articles',
      t('热门文章', 'Top articles'),
      '<div id="top-articles" class="table-wrap"></div>',
    ),
  };
};

/** The client's dashboard: filters, KPI cards, charts with tables, quotas, SLA, campaigns, top articles, reports. */
export function portalDashboardPage(lang: PortalLang = 'zh-CN'): string {
  const t = (zh: string, en: string) => inLang(lang, zh, en);
  const p = dashboardPanels(t('所选范围内', 'in the chosen range'), lang);
  return portalShell({
    title: t('数据看板', 'Dashboard'),
    page: 'dashboard',
    lang,
    scripts: ['chart.umd.js'],
    modules: ['portal-dashboard.js'],
    body: `${portalHeader('dashboard', lang)}
<main id="main">
  <h1>${t('数据看板', 'Dashboard')}</h1>
  <form id="filters" class="filters" aria-label="${t('筛选条件', 'Filters')}">
    <div><label for="from">${t('开始日期', 'From')}</label><input type="date" id="from" name="from" required></div>
    <div><label for="to">${t('结束日期', 'To')}</label><input type="date" id="to" name="to" required></div>
    <div><label for="granularity">${t('统计粒度', 'Granularity')}</label>
      <select id="granularity" name="granularity">
        <option value="day">${t('按日', 'Daily')}</option><option value="week" selected>${t('按周', 'Weekly')}</option><option value="month">${t('按月', 'Monthly')}</option>
      </select></div>
    <div><label for="account">${t('账号', 'Account')}</label>
      <select id="account" name="account"><option value="">${t('全部账号', 'All accounts')}</option></select></div>
    <button type="submit" class="btn">${t('应用筛选', 'Apply')}</button>
  </form>
  <p id="status" class="muted" role="status" aria-live="polite">${t('正在加载…', 'Loading…')}</p>
  <p id="error" class="error" role="alert" hidden></p>
  ${[p.kpi, p.followers, p.reads, p.quotas, p.sla, p.campaigns, p.topArticles].join('\n  ')}
  ${panel('reports', t('月度报告下载', 'Monthly reports'), '<div id="reports" class="table-wrap"></div>')}
</main>`,
  });
}

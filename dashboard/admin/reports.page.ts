import { adminShell, field } from './layout.js';
import { orgPicker } from './manage.page.js';

/**
 * Monthly reports (运营数据月报) of an organisation: the list with PDF and Excel downloads, and a form to
 * request a month. admin-reports.js fills it and refreshes it while a report is being generated.
 */
export function adminReportsPage(): string {
  return adminShell({
    title: '月度报告',
    page: 'reports',
    nav: 'reports',
    modules: ['admin-reports.js'],
    body: `${orgPicker}
<form id="request-form" class="card" data-perm="reports.manage" hidden><h2>生成月度报告</h2>
${field('r-month', '月份', '<input type="month" id="r-month" required aria-describedby="r-month-hint">', '默认为上个月；该月已有报告时显示现有版本，需要新版本请在列表中点“重新生成”')}
<button type="submit" class="btn">生成报告</button></form>
<table id="list" class="table"><caption>月度报告（最新月份、最新版本在前）</caption><thead></thead><tbody></tbody></table>
<p class="hint">每月 1 日 06:00 自动生成上个月的报告。重新生成会产生新版本，原有版本保留，可继续下载。</p>`,
  });
}

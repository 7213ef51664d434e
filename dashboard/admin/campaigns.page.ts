import { field } from './layout.js';

/**
 * The campaign page's parts beyond the shared management layout (manage.page.ts): the goals in the
 * create/edit form, the panel of one campaign (results, goals met, linked contents) and the
 * organisation's deliverables (定制栏目, 专题页). admin-campaigns.js and admin-deliverables.js drive them.
 */

const goal = (id: string, label: string) =>
  field(
    id,
    label,
    `<input type="number" id="${id}" min="0" max="1000000000000" step="1" inputmode="numeric">`,
  );

/** One number per measured goal; empty means no goal for that figure. */
export const campaignGoalFields = `<fieldset><legend>活动目标（可留空，按活动期间合计计算）</legend>
${goal('f-goal-reads', '阅读量')}
${goal('f-goal-shares', '分享次数')}
${goal('f-goal-net', '净增粉丝')}
</fieldset>`;

export const campaignPanels = `<section id="detail" class="card" aria-labelledby="detail-h" hidden><h2 id="detail-h" tabindex="-1"></h2><p id="detail-state"></p>
<div class="detail-grid">
<div><h3>活动效果</h3><dl id="c-results" class="facts"></dl></div>
<div><h3>目标完成情况</h3><div id="c-goals"></div></div>
<div><h3>关联内容</h3><div id="c-contents"></div>
<form id="link-form" data-perm="campaigns.manage" hidden>
${field('c-content', '选择本单位的内容', '<select id="c-content" required></select>')}
<button type="submit" class="btn">关联到活动</button></form></div>
</div>
<button type="button" class="btn secondary" id="detail-close">关闭</button></section>
<section id="deliverables" class="card" aria-labelledby="deliverables-h" data-perm="kpi.read" hidden>
<h2 id="deliverables-h">定制栏目与专题页</h2>
<p class="hint">合同按年计数的交付物；可关联到某个活动。</p>
<form id="deliverable-form" data-perm="kpi.manage" hidden><h3>登记交付物</h3>
${field(
  'd-kind',
  '类型',
  '<select id="d-kind"><option value="feature">定制栏目</option><option value="topic_page">专题页</option></select>',
)}
${field('d-title', '名称', '<input id="d-title" required maxlength="200">')}
${field('d-date', '交付日期', '<input type="date" id="d-date" required>')}
${field('d-url', '链接（可留空）', '<input type="url" id="d-url" maxlength="1000" placeholder="https://">')}
${field('d-campaign', '所属活动', '<select id="d-campaign"><option value="">不关联活动</option></select>')}
<button type="submit" class="btn">登记</button></form>
<table id="deliverables-table" class="table"><caption>已登记的定制栏目与专题页</caption>
<thead><tr><th scope="col">类型</th><th scope="col">名称</th><th scope="col">交付日期</th><th scope="col">所属活动</th><th scope="col">操作</th></tr></thead><tbody></tbody></table>
</section>`;

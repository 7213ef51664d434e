import type { AdminAssetName } from './assets.js';
import { campaignGoalFields, campaignPanels } from './campaigns.page.js';
import { ADMIN_NAV, adminShell, field } from './layout.js';

/**
 * The management pages: a table, a form that creates or (after 编辑) edits a row, and for accounts,
 * users and organisations a detail panel with the actions on one row. Every form and action carries the
 * permission it needs in data-perm; admin-common.js shows it only to roles that hold it.
 */

export const MANAGE_PAGES = [
  'accounts',
  'organisations',
  'kpi',
  'campaigns',
  'alerts',
  'users',
  'audit',
] as const;
export type ManagePage = (typeof MANAGE_PAGES)[number];

const options = (pairs: ReadonlyArray<readonly [string, string]>) =>
  pairs.map(([value, label]) => `<option value="${value}">${label}</option>`).join('');

const ROLES = [
  ['editor', '内容编辑'],
  ['planner', '活动策划'],
  ['security_admin', '安全管理员'],
  ['auditor', '审计管理员'],
  ['client_approver', '客户审定人'],
  ['client_viewer', '客户'],
] as const;
const TIERS = [
  ['', '未设置'],
  ['city_government', '市政府'],
  ['city_department', '市直部门'],
  ['county_government', '县（区）政府'],
  ['county_unit', '县直单位'],
] as const;
const CADENCES = [
  ['', '未设置'],
  ['daily', '每日'],
  ['twice_weekly', '每周两次'],
  ['weekly', '每周'],
  ['monthly', '每月'],
] as const;

/** The organisation picker that admin-manage.js's orgPicker() fills. */
export const orgPicker = `<div class="toolbar">${field('org', '客户单位', '<select id="org"></select>')}</div>`;
const detailHead = `<h2 id="detail-h" tabindex="-1"></h2><p id="detail-state"></p>`;
const detailClose = '<button type="button" class="btn secondary" id="detail-close">关闭</button>';

/** WeChat settings, in the create form (prefix f) and the edit form (prefix e). */
const wechatFields = (p: string) => `<div class="wechat-only">
${field(
  `${p}-kind`,
  '公众号类型',
  `<select id="${p}-kind">${options([
    ['subscription', '订阅号'],
    ['service', '服务号'],
  ])}</select>`,
)}
${field(
  `${p}-mode`,
  '发布方式',
  `<select id="${p}-mode">${options([
    ['masssend', '群发'],
    ['freepublish', '发布（仅认证号）'],
  ])}</select>`,
)}
<div class="field check"><input type="checkbox" id="${p}-verified"><label for="${p}-verified">已认证</label></div>
${field(`${p}-quota`, '每日群发次数', `<input type="number" id="${p}-quota" min="0" max="100" value="1">`)}
</div>
${field(`${p}-tier`, '单位层级', `<select id="${p}-tier">${options(TIERS)}</select>`)}
${field(`${p}-cadence`, '检查频次', `<select id="${p}-cadence">${options(CADENCES)}</select>`)}`;

const BODIES: Record<ManagePage, string> = {
  accounts: `${orgPicker}
<form id="create-form" class="card" data-perm="accounts.manage" hidden><h2>登记账号</h2>
${field(
  'f-platform',
  '平台',
  `<select id="f-platform">${options([
    ['wechat', '微信公众号'],
    ['weibo', '微博'],
  ])}</select>`,
)}
${field('f-name', '账号名称', '<input id="f-name" required maxlength="100">')}
${field('f-external', 'AppID（微信）或 UID（微博）', '<input id="f-external" required maxlength="64" pattern="[A-Za-z0-9_\\-]{1,64}" autocomplete="off">')}
${wechatFields('f')}
${field('f-secret', '凭据（微信 AppSecret / 微博 access token，仅写入，可稍后填写）', '<input id="f-secret" type="password" autocomplete="off" minlength="16">')}
<button type="submit" class="btn">登记账号</button></form>`,
  organisations: `<form id="create-form" class="card" data-perm="organisations.manage" hidden><h2>新增客户单位</h2>
${field('f-name', '单位名称', '<input id="f-name" required maxlength="200">')}
${field('f-slug', '简称代码（小写字母、数字、连字符）', '<input id="f-slug" required pattern="[a-z0-9][a-z0-9\\-]{1,62}" maxlength="63" autocomplete="off">')}
<button type="submit" class="btn">新增单位</button></form>`,
  kpi: `${orgPicker}
<form id="create-form" class="card" data-perm="kpi.manage" hidden><h2>新增考核目标</h2>
${field('f-name', '名称', '<input id="f-name" required maxlength="200">')}
${field(
  'f-metric',
  '指标',
  `<select id="f-metric">${options([
    ['followers_total', '粉丝总数'],
    ['weekly_average_reads', '周均阅读量'],
    ['monthly_original_articles', '每月原创文章'],
    ['sla_compliance_rate', '发布时效达标率'],
  ])}</select>`,
)}
${field('f-account', '适用账号', '<select id="f-account"><option value="">本单位全部账号</option></select>')}
${field('f-start', '合同开始', '<input type="date" id="f-start" required>')}
${field('f-end', '合同结束', '<input type="date" id="f-end" required>')}
${field('f-baseline', '基线（可留空）', '<input id="f-baseline" maxlength="40" aria-describedby="f-baseline-hint">', '数值如 30000，或基线期如 2021-11-01~2021-11-28')}
${field('f-milestones', '里程碑（每行一个）', '<textarea id="f-milestones" rows="3" required aria-describedby="f-milestones-hint"></textarea>', '每行：日期 目标值 [说明]，如 2026-12-31 150000；较基线增长写 +10%')}
<button type="submit" class="btn">保存目标</button></form>`,
  campaigns: `${orgPicker}
<form id="create-form" class="card" data-perm="campaigns.manage" hidden><h2>新建活动</h2>
${field('f-name', '活动名称', '<input id="f-name" required maxlength="200">')}
${field(
  'f-type',
  '类型',
  `<select id="f-type">${options([
    ['theme', '主题活动'],
    ['marketing', '营销活动'],
    ['topic', '专题'],
  ])}</select>`,
)}
${field('f-start', '开始日期', '<input type="date" id="f-start" required>')}
${field('f-end', '结束日期（至少 7 天）', '<input type="date" id="f-end" required>')}
<div class="field check"><input type="checkbox" id="f-short"><label for="f-short">短期活动（不足 7 天，不计入合同）</label></div>
${field('f-description', '说明', '<textarea id="f-description" rows="2" maxlength="5000"></textarea>')}
${campaignGoalFields}
<button type="submit" class="btn">创建活动</button></form>`,
  alerts: `${orgPicker}
<form id="create-form" class="card" data-perm="alerts.manage" hidden><h2>新增告警渠道</h2>
${field('f-name', '名称', '<input id="f-name" required maxlength="100">')}
${field(
  'f-type',
  '类型',
  `<select id="f-type">${options([
    ['wecom', '企业微信群机器人'],
    ['dingtalk', '钉钉机器人'],
    ['webhook', 'Webhook'],
  ])}</select>`,
)}
${field('f-url', '地址（含密钥，仅写入）', '<input id="f-url" type="url" required aria-describedby="f-url-hint">', '修改时留空则保留原地址和签名密钥')}
${field('f-secret', '签名密钥（钉钉必填，Webhook 可选）', '<input id="f-secret" type="password" autocomplete="off">')}
<button type="submit" class="btn">添加渠道</button></form>`,
  users: `<form id="create-form" class="card" data-perm="users.create" hidden><h2>新建用户</h2>
${field('f-username', '用户名', '<input id="f-username" required maxlength="64" autocomplete="off">')}
${field('f-name', '姓名', '<input id="f-name" required maxlength="100">')}
${field('f-role', '角色', `<select id="f-role">${options(ROLES)}</select>`)}
<div class="client-only" hidden>${field('f-org', '所属客户单位', '<select id="f-org"></select>')}</div>
<button type="submit" class="btn">创建用户</button><p id="initial-password" class="note" role="status"></p></form>`,
  audit: `<form id="filter-form" class="toolbar">
${field('f-action', '操作（可用 auth.* 前缀）', '<input id="f-action" maxlength="100">')}
${field(
  'f-outcome',
  '结果',
  `<select id="f-outcome">${options([
    ['', '全部'],
    ['success', '成功'],
    ['failure', '失败'],
    ['denied', '拒绝'],
  ])}</select>`,
)}
<button type="submit" class="btn secondary">筛选</button></form>`,
};

/** The panel under the table for one row's actions (accounts, users, organisations, campaigns). */
const DETAILS: Partial<Record<ManagePage, string>> = {
  campaigns: campaignPanels,
  accounts: `<section id="detail" class="card" aria-labelledby="detail-h" hidden>${detailHead}
<div class="detail-grid">
<form id="edit-form" data-perm="accounts.manage" hidden><h3>修改资料</h3>
${field('e-name', '账号名称', '<input id="e-name" required maxlength="100">')}
${wechatFields('e')}
<button type="submit" class="btn">保存修改</button></form>
<form id="credentials-form" data-perm="accounts.manage" hidden><h3>更换凭据</h3>
<p class="hint">凭据只能写入，保存后不再显示。</p>
${field('e-secret', '新凭据', '<input id="e-secret" type="password" autocomplete="off" required minlength="16" maxlength="512">')}
<button type="submit" class="btn">保存凭据</button></form>
<div data-perm="accounts.verify" hidden><h3>检查凭据</h3>
<p class="hint">向平台检查令牌、IP 白名单、发布和数据权限。</p>
<button type="button" class="btn secondary" id="verify">检查凭据</button><p id="verify-result" role="status"></p></div>
<form id="backfill-form" data-perm="metrics.manage" hidden><h3>补采数据</h3>
${field('b-from', '开始日期', '<input type="date" id="b-from" required>')}
${field('b-to', '结束日期（最晚昨天）', '<input type="date" id="b-to" required>')}
<button type="submit" class="btn">开始补采</button></form>
<div data-perm="metrics.read" hidden><h3>补采进度</h3><div id="backfills" aria-live="polite"></div></div>
<div data-perm="accounts.manage" hidden><h3>停用与启用</h3>
<p class="hint">停用后不再向该账号发布内容；重新启用后请先检查凭据。</p>
<button type="button" class="btn danger" id="disable">停用账号</button>
<button type="button" class="btn" id="enable" hidden>重新启用</button></div>
</div>${detailClose}</section>`,
  users: `<section id="detail" class="card" aria-labelledby="detail-h" hidden>${detailHead}
<div class="detail-grid">
<form id="edit-form" data-perm="users.update" hidden><h3>姓名与状态</h3>
${field('e-name', '姓名', '<input id="e-name" required maxlength="100">')}
${field(
  'e-status',
  '状态',
  `<select id="e-status">${options([
    ['active', '正常'],
    ['disabled', '停用（结束其全部登录）'],
  ])}</select>`,
)}
<button type="submit" class="btn">保存修改</button></form>
<form id="role-form" data-perm="users.grant_role" hidden><h3>授予角色</h3>
${field('e-role', '角色', `<select id="e-role">${options(ROLES)}</select>`)}
<div class="client-only" hidden>${field('e-org', '所属客户单位', '<select id="e-org"></select>')}</div>
<button type="submit" class="btn">授予角色</button></form>
<div><h3>登录与安全</h3><div class="toolbar">
<button type="button" class="btn secondary" id="unlock" data-perm="users.unlock" hidden>解除锁定</button>
<button type="button" class="btn secondary" id="reset-2fa" data-perm="users.reset_2fa" hidden>重置两步验证</button>
<button type="button" class="btn secondary" id="reset-password" data-perm="users.update" hidden>重置密码</button>
<button type="button" class="btn danger" id="revoke" data-perm="users.revoke_sessions" hidden>结束全部登录</button>
</div><p id="one-time-password" class="note" role="status"></p></div>
</div>${detailClose}</section>`,
  organisations: `<section id="detail" class="card" aria-labelledby="detail-h" hidden>${detailHead}
<form id="review-form"><h3>审核设置（三审三校）</h3>
${field(
  'r-steps',
  '审核级数',
  `<select id="r-steps">${options([
    ['1', '一级'],
    ['2', '二级'],
    ['3', '三级'],
  ])}</select>`,
)}
<div class="field check"><input type="checkbox" id="r-self"><label for="r-self">允许作者审核自己的内容</label></div>
<fieldset><legend>后台审核人（内容编辑、活动策划）</legend><div id="r-reviewers"></div></fieldset>
<button type="submit" class="btn" data-perm="organisations.manage" hidden>保存审核设置</button></form>
${detailClose}</section>`,
};

export function adminManagePage(key: ManagePage): string {
  // The page is titled as its nav entry.
  const title = ADMIN_NAV.find((n) => n.key === key)?.label ?? key;
  return adminShell({
    title,
    page: key,
    nav: key,
    modules: [`admin-${key}.js` as AdminAssetName],
    body: `${BODIES[key]}
<table id="list" class="table"><caption>${title}</caption><thead></thead><tbody></tbody></table>
${key === 'audit' ? '<button type="button" class="btn secondary" id="more" hidden>加载更多</button>' : ''}
${DETAILS[key] ?? ''}`,
  });
}

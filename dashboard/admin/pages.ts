import { adminShell } from './layout.js';

/**
 * The backend page shells. They hold no data: every figure comes from /api/*, which checks the session
 * and the role, and the browser modules send a signed-out visitor to /admin/login.
 */

const field = (id: string, label: string, input: string, hint = '') =>
  `<div class="field"><label for="${id}">${label}</label>${input}${hint ? `<small id="${id}-hint">${hint}</small>` : ''}</div>`;

const orgPicker = `<div class="toolbar">${field('org', '客户单位', '<select id="org"></select>')}</div>`;

export function adminLoginPage(): string {
  return adminShell({
    title: '登录运营后台',
    page: 'login',
    modules: ['admin-login.js'],
    body: `<form id="login-form" class="card narrow" novalidate>
${field('username', '用户名', '<input id="username" name="username" autocomplete="username" required>')}
${field('password', '密码', '<input id="password" name="password" type="password" autocomplete="current-password" required>')}
${field('otp', '动态验证码（已启用两步验证时填写）', '<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6">')}
<button type="submit" class="btn">登录</button>
<p id="login-error" class="error" role="alert"></p>
</form>`,
  });
}

export function adminCalendarPage(): string {
  return adminShell({
    title: '内容日历',
    page: 'calendar',
    nav: 'calendar',
    modules: ['admin-calendar.js'],
    body: `<div class="toolbar" role="group" aria-label="日历视图">
<button type="button" class="btn secondary" id="view-month" aria-pressed="true">月视图</button>
<button type="button" class="btn secondary" id="view-week" aria-pressed="false">周视图</button>
<button type="button" class="btn secondary" id="prev">上一页</button>
<button type="button" class="btn secondary" id="today">今天</button>
<button type="button" class="btn secondary" id="next">下一页</button>
<a class="btn" href="/admin/contents/new">新建内容</a>
</div>
<h2 id="period" aria-live="polite"></h2>
<div id="calendar" class="calendar"></div>
<p class="hint">按计划发布时间（北京时间）排列；“休”表示非工作日（含调休）。</p>`,
  });
}

export function adminContentsPage(): string {
  return adminShell({
    title: '内容列表',
    page: 'contents',
    nav: 'contents',
    modules: ['admin-contents.js'],
    body: `<form id="filters" class="toolbar">
${field('filter-status', '状态', '<select id="filter-status"><option value="">全部状态</option></select>')}
${field('filter-account', '账号', '<select id="filter-account"><option value="">全部账号</option></select>')}
<button type="submit" class="btn secondary">筛选</button>
<a class="btn" href="/admin/contents/new">新建内容</a>
</form>
<table id="contents-table" class="table"><caption>最近更新的内容</caption>
<thead><tr><th scope="col">标题</th><th scope="col">类型</th><th scope="col">账号</th><th scope="col">状态</th><th scope="col">计划发布</th><th scope="col">更新时间</th></tr></thead>
<tbody></tbody></table>`,
  });
}

export function adminEditorPage(): string {
  return adminShell({
    title: '编辑内容',
    page: 'editor',
    nav: 'contents',
    modules: ['admin-editor.js'],
    body: `<div class="editor-grid">
<form id="editor-form" class="card" novalidate>
<p id="item-state" class="state"></p>
${field('account', '发布账号', '<select id="account" required></select>')}
<fieldset id="wechat-fields" hidden><legend>微信图文（第 <span id="article-no">1</span> 篇）</legend>
<div id="article-tabs" class="toolbar" role="group" aria-label="选择图文"></div>
${field('title', '标题（1–32 字）', '<input id="title" maxlength="32" required>')}
${field('author', '作者（最多 16 字）', '<input id="author" maxlength="16">')}
${field('digest', '摘要（最多 128 字）', '<textarea id="digest" rows="2" maxlength="128"></textarea>')}
${field('body', '正文 HTML', '<textarea id="body" rows="12" required></textarea>')}
<div class="field check"><input type="checkbox" id="original"><label for="original">原创</label></div>
${field('cover', '封面图（JPEG，64 KB 以内）', '<input type="file" id="cover" accept="image/jpeg,image/png">', '<span id="cover-state">未上传封面</span>')}
</fieldset>
<fieldset id="weibo-fields" hidden><legend>微博</legend>
${field('text', '微博正文（最多 140 字，按微博规则计数）', '<textarea id="text" rows="5"></textarea>')}
</fieldset>
${field('publish-at', '计划发布时间（北京时间，可留空）', '<input type="datetime-local" id="publish-at">')}
<div class="toolbar"><button type="submit" class="btn" id="save">保存</button>
<a id="preview" class="btn secondary" href="#" hidden target="_blank" rel="noopener">粉丝视角预览</a></div>
</form>
<div class="side">
<section class="card" aria-labelledby="findings-h"><h2 id="findings-h">校对结果</h2><div id="findings"><p>保存后显示校对结果。</p></div><div id="checks"></div></section>
<section class="card" id="workflow" aria-labelledby="workflow-h" hidden><h2 id="workflow-h">审核与发布</h2>
<div id="submit-box" hidden>
${field('override-reason', '存在阻断问题时仍提交的理由', '<input id="override-reason" maxlength="500">')}
<button type="button" class="btn" id="submit-review">提交审核</button></div>
<div id="withdraw-box" hidden><button type="button" class="btn secondary" id="withdraw">撤回到草稿</button></div>
<div id="review-box" hidden>
${field('review-comment', '审核意见', '<input id="review-comment" maxlength="1000">')}
<button type="button" class="btn" id="approve">通过</button> <button type="button" class="btn danger" id="reject">驳回</button></div>
<div id="schedule-box" hidden>
${field('schedule-at', '发布时间（留空为审定后尽快发布）', '<input type="datetime-local" id="schedule-at">')}
<button type="button" class="btn" id="schedule">排期发布</button> <button type="button" class="btn" id="reschedule">改期</button></div>
<div id="cancel-box" hidden>
${field('cancel-reason', '取消理由', '<input id="cancel-reason" maxlength="500">')}
<button type="button" class="btn danger" id="cancel">取消发布</button></div>
<div id="review-steps"></div>
</section>
<section class="card" id="publishing" aria-labelledby="publishing-h" hidden><h2 id="publishing-h">发布状态</h2><div id="publishing-body"></div></section>
</div></div>`,
  });
}

/** The management pages share one module; each has its own table and form. */
export function adminManagePage(
  key: 'accounts' | 'kpi' | 'campaigns' | 'alerts' | 'users' | 'audit',
): string {
  const titles = {
    accounts: '账号与凭据',
    kpi: '考核目标',
    campaigns: '营销活动',
    alerts: '告警渠道',
    users: '用户管理',
    audit: '审计日志',
  } as const;
  const forms: Record<typeof key, string> = {
    accounts: '',
    kpi: `<form id="create-form" class="card" data-perm="kpi.manage" hidden><h2>新增考核目标</h2>
${field('f-name', '名称', '<input id="f-name" required maxlength="200">')}
${field('f-metric', '指标', '<select id="f-metric"><option value="followers_total">粉丝总数</option><option value="weekly_average_reads">周均阅读量</option><option value="monthly_original_articles">每月原创文章</option><option value="sla_compliance_rate">发布时效达标率</option></select>')}
${field('f-start', '合同开始', '<input type="date" id="f-start" required>')}
${field('f-end', '合同结束', '<input type="date" id="f-end" required>')}
${field('f-date', '里程碑日期', '<input type="date" id="f-date" required>')}
${field('f-value', '里程碑目标值', '<input type="number" id="f-value" min="0" required>')}
<button type="submit" class="btn">保存目标</button></form>`,
    campaigns: `<form id="create-form" class="card" data-perm="campaigns.manage" hidden><h2>新建活动</h2>
${field('f-name', '活动名称', '<input id="f-name" required maxlength="200">')}
${field('f-type', '类型', '<select id="f-type"><option value="theme">主题活动</option><option value="marketing">营销活动</option></select>')}
${field('f-start', '开始日期', '<input type="date" id="f-start" required>')}
${field('f-end', '结束日期（至少 7 天）', '<input type="date" id="f-end" required>')}
<button type="submit" class="btn">创建活动</button></form>`,
    alerts: `<form id="create-form" class="card" data-perm="alerts.manage" hidden><h2>新增告警渠道</h2>
${field('f-name', '名称', '<input id="f-name" required maxlength="100">')}
${field('f-type', '类型', '<select id="f-type"><option value="wecom">企业微信群机器人</option><option value="dingtalk">钉钉机器人</option><option value="webhook">Webhook</option></select>')}
${field('f-url', '地址（含密钥，仅写入）', '<input id="f-url" type="url" required>')}
${field('f-secret', '签名密钥（钉钉必填，Webhook 可选）', '<input id="f-secret" type="password" autocomplete="off">')}
<button type="submit" class="btn">添加渠道</button></form>`,
    users: `<form id="create-form" class="card" data-perm="users.create" hidden><h2>新建用户</h2>
${field('f-username', '用户名', '<input id="f-username" required maxlength="64" autocomplete="off">')}
${field('f-name', '姓名', '<input id="f-name" required maxlength="100">')}
${field('f-role', '角色', '<select id="f-role"><option value="editor">内容编辑</option><option value="planner">活动策划</option><option value="security_admin">安全管理员</option><option value="auditor">审计管理员</option><option value="client_approver">客户审定人</option><option value="client_viewer">客户</option></select>')}
<button type="submit" class="btn">创建用户</button><p id="initial-password" class="note" role="status"></p></form>`,
    audit: `<form id="filter-form" class="toolbar">
${field('f-action', '操作（可用 auth.* 前缀）', '<input id="f-action" maxlength="100">')}
${field('f-outcome', '结果', '<select id="f-outcome"><option value="">全部</option><option value="success">成功</option><option value="failure">失败</option><option value="denied">拒绝</option></select>')}
<button type="submit" class="btn secondary">筛选</button></form>`,
  };
  const needsOrg = key === 'kpi' || key === 'campaigns' || key === 'alerts' || key === 'accounts';
  return adminShell({
    title: titles[key],
    page: key,
    nav: key,
    modules: ['admin-manage.js'],
    body: `${needsOrg ? orgPicker : ''}${forms[key]}
<table id="list" class="table"><caption>${titles[key]}</caption><thead></thead><tbody></tbody></table>
${key === 'audit' ? '<button type="button" class="btn secondary" id="more" hidden>加载更多</button>' : ''}`,
  });
}

import { passwordChangeForm } from '../shared/password-form.js';
import { adminShell, field } from './layout.js';

/**
 * The backend page shells. They hold no data: every figure comes from /api/*, which checks the session
 * and the role, and the browser modules send a signed-out visitor to /admin/login.
 */

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

/**
 * First login (or a reset, or an expired password): a new password, then — for the roles that need it —
 * two-factor enrolment with the QR code, the secret as text and the code check, then the recovery codes
 * once. admin-setup.js shows the step the session's stage asks for.
 */
export function adminSetupPage(): string {
  return adminShell({
    title: '首次登录设置',
    page: 'setup',
    modules: ['admin-setup.js'],
    body: `<div class="card narrow setup">
<p id="setup-who" class="note"></p>
${passwordChangeForm()}
<section id="totp-step" class="setup-step" aria-labelledby="totp-h" hidden>
<h2 id="totp-h">绑定动态验证码（两步验证）</h2>
<p>你的角色登录后台需要两步验证。请用手机上的身份验证器（如腾讯身份验证器、Microsoft Authenticator、Google 身份验证器）扫描二维码；无法扫描时手动输入下面的密钥。</p>
<img id="totp-qr" class="qr" alt="两步验证二维码（内容与下方密钥相同）" width="240" height="240" hidden>
<p>密钥：<code id="totp-secret" class="secret"></code></p>
<form id="totp-form" novalidate>
${field('totp-code', '验证器显示的 6 位数字', '<input id="totp-code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>')}
<p id="totp-error" class="error" role="alert" hidden></p>
<button type="submit" class="btn">确认绑定</button>
</form>
</section>
<section id="codes-step" class="setup-step" aria-labelledby="codes-h" hidden>
<h2 id="codes-h">保存恢复码</h2>
<p>手机丢失或无法使用验证器时，可以用恢复码代替动态验证码登录，每个只能用一次。<strong>恢复码只显示这一次</strong>，请抄写或保存到安全的地方。</p>
<ol id="recovery-codes" class="codes"></ol>
<button type="button" id="codes-saved" class="btn">我已保存，继续</button>
</section>
<p><button type="button" id="setup-logout" class="btn secondary">退出登录</button></p>
</div>`,
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
<p id="attention" class="error" role="status" hidden></p>
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
<p id="review-note" class="hint" hidden></p>
<div id="review-box" hidden>
${field('review-comment', '审核意见', '<input id="review-comment" maxlength="1000">')}
<button type="button" class="btn" id="approve">通过</button> <button type="button" class="btn danger" id="reject">驳回</button></div>
<div id="schedule-box" hidden>
<p id="schedule-note" class="hint"></p>
${field('schedule-at', '发布时间（留空为尽快发布）', '<input type="datetime-local" id="schedule-at">')}
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

import { portalShell } from './layout.js';

/** The portal sign-in form; portal-login.js posts it to /portal/api/auth/login. */
export function portalLoginPage(): string {
  return portalShell({
    title: '登录',
    page: 'login',
    modules: ['portal-login.js'],
    body: `<main id="main" class="login">
  <h1>运营 · 客户门户</h1>
  <p class="muted">查看账号运营数据、审定待发布内容、下载月度报告。</p>
  <form id="login-form" novalidate>
    <label for="username">用户名</label>
    <input id="username" name="username" autocomplete="username" required>
    <label for="password">密码</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <div id="otp-row" hidden>
      <label for="otp">动态验证码</label>
      <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6">
    </div>
    <p id="login-error" class="error" role="alert" hidden></p>
    <button type="submit" class="btn">登录</button>
  </form>
</main>`,
  });
}

import { inLang, type PortalLang } from './lang.js';
import { langSwitch, portalShell } from './layout.js';

/** The portal sign-in form; portal-login.js posts it to /portal/api/auth/login. */
export function portalLoginPage(lang: PortalLang = 'zh-CN'): string {
  const t = (zh: string, en: string) => inLang(lang, zh, en);
  return portalShell({
    title: t('登录', 'Sign in'),
    page: 'login',
    lang,
    modules: ['portal-login.js'],
    body: `<main id="main" class="login">
  <div class="lang-row">${langSwitch(lang)}</div>
  <h1>${t('运营 · 客户门户', 'Yunying · Client portal')}</h1>
  <p class="muted">${t('查看账号运营数据、审定待发布内容、下载月度报告。', 'See your accounts’ figures, review content before it is published, and download monthly reports.')}</p>
  <form id="login-form" novalidate>
    <label for="username">${t('用户名', 'Username')}</label>
    <input id="username" name="username" autocomplete="username" required>
    <label for="password">${t('密码', 'Password')}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <div id="otp-row" hidden>
      <label for="otp">${t('动态验证码', 'One-time code')}</label>
      <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6">
    </div>
    <p id="login-error" class="error" role="alert" hidden></p>
    <button type="submit" class="btn">${t('登录', 'Sign in')}</button>
  </form>
</main>`,
  });
}

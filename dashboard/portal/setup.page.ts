import { passwordChangeForm } from '../shared/password-form.js';
import { inLang, type PortalLang } from './lang.js';
import { langSwitch, portalShell } from './layout.js';

/**
 * First login, a reset or an expired password: the client sets their own password before anything else
 * (portal-setup.js). The portal has no two-factor enrolment of its own; a portal role that requires it
 * is told to ask the operating team.
 */
export function portalSetupPage(lang: PortalLang = 'zh-CN'): string {
  const t = (zh: string, en: string) => inLang(lang, zh, en);
  return portalShell({
    title: t('设置新密码', 'Set a new password'),
    page: 'setup',
    lang,
    modules: ['portal-setup.js'],
    body: `<main id="main" class="login setup">
  <div class="lang-row">${langSwitch(lang)}</div>
  <h1>${t('运营 · 客户门户', 'Yunying · Client portal')}</h1>
  <p id="setup-who" class="muted"></p>
  <p id="status" class="muted" role="status" aria-live="polite"></p>
  ${passwordChangeForm(lang)}
  <p id="totp-unavailable" class="error setup-step" hidden>${t('您的账号需要绑定动态验证码后才能使用门户，门户暂不提供绑定页面，请联系运营团队协助完成。', 'Your account needs a one-time code app before it can use the portal, and the portal cannot set one up yet: please ask the operating team to help.')}</p>
  <button type="button" id="logout" class="btn secondary">${t('退出登录', 'Sign out')}</button>
</main>`,
  });
}

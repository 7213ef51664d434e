import { passwordChangeForm } from '../shared/password-form.js';
import { portalShell } from './layout.js';

/**
 * First login, a reset or an expired password: the client sets their own password before anything else
 * (portal-setup.js). The portal has no two-factor enrolment of its own; a portal role that requires it
 * is told to ask the operating team.
 */
export function portalSetupPage(): string {
  return portalShell({
    title: '设置新密码',
    page: 'setup',
    modules: ['portal-setup.js'],
    body: `<main id="main" class="login setup">
  <h1>运营 · 客户门户</h1>
  <p id="setup-who" class="muted"></p>
  <p id="status" class="muted" role="status" aria-live="polite"></p>
  ${passwordChangeForm()}
  <p id="totp-unavailable" class="error setup-step" hidden>您的账号需要绑定动态验证码后才能使用门户，门户暂不提供绑定页面，请联系运营团队协助完成。</p>
  <button type="button" id="logout" class="btn secondary">退出登录</button>
</main>`,
  });
}

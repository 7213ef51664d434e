// The portal setup page (/portal/setup): a new password when the session asks for one, then on to `next`.
// The change rotates the session; the new CSRF token comes back with it.

import { wirePasswordChange } from './password-change.js';
import { api, logout, nextPage, setCsrfToken } from './portal-common.js';
import { lang, t } from './portal-i18n.js';

const $ = (id) => document.getElementById(id);

function go(stage) {
  if (stage === 'full') {
    location.replace(nextPage());
    return;
  }
  const step = stage === 'password_change' ? 'password-form' : 'totp-unavailable';
  for (const e of document.querySelectorAll('.setup-step')) e.hidden = e.id !== step;
  if (step === 'password-form') $('current-password').focus();
}

wirePasswordChange({
  post: (body) => api('/portal/api/auth/password', { method: 'POST', body }),
  t,
  lang,
  onChanged(answer) {
    setCsrfToken(answer.csrfToken);
    $('status').textContent = t('密码已修改');
    go(answer.stage);
  },
});

$('logout').addEventListener('click', logout);

// A signed-out visitor: api() is already on the way to the login page.
const session = await api('/portal/api/auth/session').catch(() => null);
if (session) {
  setCsrfToken(session.csrfToken);
  $('setup-who').textContent = t('{name}（{username}）', {
    name: session.user.displayName,
    username: session.user.username,
  });
  go(session.stage);
  document.body.dataset.ready = 'true';
}

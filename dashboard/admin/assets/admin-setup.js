// The backend setup page (/admin/setup): the step the session's stage asks for — a new password, then
// two-factor enrolment (QR code and secret, code check, recovery codes shown once) — then on to `next`.
// Each step rotates the session; the new CSRF token comes back with it.
import { api, errorText, logout, nextPage, setCsrfToken } from './admin-common.js';
import { wirePasswordChange } from './password-change.js';

const $ = (id) => document.getElementById(id);

function showOnly(stepId) {
  for (const step of document.querySelectorAll('.setup-step')) step.hidden = step.id !== stepId;
  document.querySelector(`#${stepId} input, #${stepId} button`)?.focus();
}

function fail(box, text) {
  box.textContent = text;
  box.hidden = false;
}

async function startTotp() {
  showOnly('totp-step');
  try {
    const enrolment = await api('POST', '/api/auth/2fa/enrol');
    $('totp-qr').src = enrolment.qrDataUrl;
    $('totp-qr').hidden = false;
    // Groups of four, as authenticator apps show a typed secret; spaces are ignored when entered.
    $('totp-secret').textContent = enrolment.secret.replace(/(.{4})(?=.)/g, '$1 ');
    $('totp-code').focus();
  } catch (err) {
    fail($('totp-error'), `无法开始两步验证设置：${errorText(err)}`);
  }
}

function showRecoveryCodes(codes) {
  $('recovery-codes').replaceChildren(
    ...codes.map((c) => Object.assign(document.createElement('li'), { textContent: c })),
  );
  showOnly('codes-step');
}

function go(stage) {
  if (stage === 'full') location.replace(nextPage());
  else if (stage === 'totp_enrol') startTotp();
  else showOnly('password-form');
}

wirePasswordChange({
  post: (body) => api('POST', '/api/auth/password', body),
  onChanged(answer) {
    setCsrfToken(answer.csrfToken);
    document.getElementById('status').textContent = '密码已修改';
    go(answer.stage);
  },
});

$('totp-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const box = $('totp-error');
  box.hidden = true;
  const otp = $('totp-code').value.replace(/\s/g, '');
  if (!/^\d{6}$/.test(otp)) {
    fail(box, '请输入验证器显示的 6 位数字');
    $('totp-code').focus();
    return;
  }
  try {
    const answer = await api('POST', '/api/auth/2fa/confirm', { otp });
    setCsrfToken(answer.csrfToken);
    showRecoveryCodes(answer.recoveryCodes);
  } catch (err) {
    fail(
      box,
      err.code === 'INVALID_OTP'
        ? `验证码不正确或已过期，请输入验证器上最新的 6 位数字 [${err.code}]`
        : errorText(err),
    );
    $('totp-code').select();
  }
});

$('codes-saved').addEventListener('click', () => location.replace(nextPage()));

$('setup-logout').addEventListener('click', logout);

async function start() {
  let session;
  try {
    session = await api('GET', '/api/auth/session');
  } catch {
    return; // api() already went to the login page
  }
  setCsrfToken(session.csrfToken);
  $('setup-who').textContent = `${session.user.displayName}（${session.user.username}）`;
  go(session.stage);
  document.body.dataset.ready = 'true';
}
start();

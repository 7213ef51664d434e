import { api } from './portal-common.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
const otpRow = document.getElementById('otp-row');

/** Only a same-site portal path may be the destination after login (no open redirect). */
function destination() {
  const next = new URLSearchParams(location.search).get('next');
  return next && /^\/portal(\/|$|\?)/.test(next) && !next.startsWith('//') ? next : '/portal';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  const body = { username: String(data.get('username')).trim(), password: String(data.get('password')) };
  const otp = String(data.get('otp') ?? '').trim();
  if (!body.username || !body.password) {
    error.textContent = '请输入用户名和密码';
    error.hidden = false;
    return;
  }
  if (otp) body.otp = otp;
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    await api('/portal/api/auth/login', { method: 'POST', body });
    location.assign(destination());
  } catch (err) {
    if (err.code === 'OTP_REQUIRED') {
      otpRow.hidden = false;
      document.getElementById('otp').focus();
    }
    error.textContent = err.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});

// The portal sign-in form: on to the page asked for, by way of the setup page when the password must be
// changed first.
import { api, nextPage } from './portal-common.js';
import { t } from './portal-i18n.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
const otpRow = document.getElementById('otp-row');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  const body = { username: String(data.get('username')).trim(), password: String(data.get('password')) };
  const otp = String(data.get('otp') ?? '').trim();
  if (!body.username || !body.password) {
    error.textContent = t('请输入用户名和密码');
    error.hidden = false;
    return;
  }
  if (otp) body.otp = otp;
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const r = await api('/portal/api/auth/login', { method: 'POST', body });
    location.assign(r.stage === 'full' ? nextPage() : `/portal/setup?next=${encodeURIComponent(nextPage())}`);
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

// The backend sign-in form: POST /api/auth/login, then on to the page asked for (backend paths only), by
// way of the setup page when the password must be changed or two-factor sign-in set up first.
import { api, errorText, nextPage } from './admin-common.js';

const MESSAGES = {
  INVALID_CREDENTIALS: '用户名或密码不正确',
  OTP_REQUIRED: '请输入动态验证码',
  IP_NOT_ALLOWED: '当前网络不允许访问后台',
};

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const username = form.username.value.trim();
  const password = form.password.value;
  const otp = form.otp.value.trim();
  if (!username || !password) {
    error.textContent = '请填写用户名和密码';
    return;
  }
  try {
    const r = await api('POST', '/api/auth/login', { username, password, ...(otp ? { otp } : {}) });
    location.assign(r.stage === 'full' ? nextPage() : `/admin/setup?next=${encodeURIComponent(nextPage())}`);
  } catch (err) {
    error.textContent = MESSAGES[err.code] ? `${MESSAGES[err.code]} [${err.code}]` : errorText(err);
  }
});
document.body.dataset.ready = 'true';

// The backend sign-in form: POST /api/auth/login, then on to the page asked for (same-site paths only).
import { api, errorText } from './admin-common.js';

const MESSAGES = {
  INVALID_CREDENTIALS: '用户名或密码不正确',
  OTP_REQUIRED: '请输入动态验证码',
  IP_NOT_ALLOWED: '当前网络不允许访问后台',
};

function nextUrl() {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  return next.startsWith('/admin') && !next.startsWith('/admin/login') ? next : '/admin';
}

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
    if (r.stage !== 'full') {
      error.textContent = '首次登录需先修改密码或设置两步验证，请通过接口 /docs 完成（页面尚未提供）';
      return;
    }
    location.assign(nextUrl());
  } catch (err) {
    error.textContent = MESSAGES[err.code] ?? errorText(err);
  }
});
document.body.dataset.ready = 'true';

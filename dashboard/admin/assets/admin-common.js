// Shared by every backend page: the session, API calls with the CSRF token, the nav, small DOM helpers.

export const STATUS_LABELS = {
  draft: '草稿',
  in_review: '审核中',
  approved: '已审定',
  rejected: '已驳回',
  scheduled: '已排期',
  publishing: '发布中',
  published: '已发布',
  failed: '发布失败',
  unconfirmed: '结果待确认',
  cancelled: '已取消',
};
export const KIND_LABELS = { wechat_edition: '微信图文', weibo_post: '微博' };
export const PLATFORM_LABELS = { wechat: '微信', weibo: '微博' };

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? 'HTTP_ERROR';
    this.details = body?.error?.details;
  }
}

/** The session's CSRF token changes when the session is rotated (password change, two-factor set up). */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Codes of a session that must finish its first-login setup before anything else. */
const SETUP_CODES = new Set(['PASSWORD_CHANGE_REQUIRED', 'TOTP_ENROLMENT_REQUIRED']);

/**
 * A JSON API call; state-changing calls carry the CSRF token. A 401 sends the visitor to the login page,
 * a session that must first change its password or set up two-factor sign-in to the setup page.
 */
export async function api(method, url, body) {
  const headers = { accept: 'application/json', 'accept-language': 'zh-CN' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  // Not a wrong password at login or in a password change (also 401): the session itself is gone.
  if (res.status === 401 && (json?.error?.code ?? 'UNAUTHENTICATED') === 'UNAUTHENTICATED') {
    toLogin();
    throw new ApiError(res.status, json);
  }
  if (res.status === 403 && SETUP_CODES.has(json?.error?.code)) toSetup();
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

const here = () => location.pathname + location.search;

function toLogin() {
  location.assign(`/admin/login?next=${encodeURIComponent(here())}`);
}

function toSetup() {
  location.replace(`/admin/setup?next=${encodeURIComponent(here())}`);
}

/** Ends the session (even when the call fails) and goes to the login page. */
export async function logout() {
  await api('POST', '/api/auth/logout').catch(() => undefined);
  location.assign('/admin/login');
}

/** The page to go on to after login or setup: `?next=` when it is a backend page, else the calendar. */
export function nextPage() {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  const own = /^\/admin(\/|$|\?)/.test(next) && !/^\/admin\/(login|setup)/.test(next);
  return own ? next : '/admin';
}

/** Creates an element: el('a', { href, class }, 'text', child…). Text is always set as text. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

export function badge(status) {
  return el('span', { class: `badge ${status}` }, STATUS_LABELS[status] ?? status);
}

const SH = 'Asia/Shanghai';
const dayFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: SH,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const timeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: SH,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
/** YYYY-MM-DD of an instant in Beijing time. */
export const shanghaiDay = (iso) => dayFmt.format(new Date(iso));
export const fmtTime = (iso) => (iso ? timeFmt.format(new Date(iso)) : '—');
export const hhmm = (iso) => fmtTime(iso).slice(-5);

/** An <input type="datetime-local"> value (Beijing wall time) as ISO with offset, or null when empty. */
export function localToIso(value) {
  return value ? `${value}:00+08:00` : null;
}
/** An ISO instant as a datetime-local value in Beijing time. */
export function isoToLocal(iso) {
  if (!iso) return '';
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 16);
}

export function setStatus(text, error = false) {
  const s = document.getElementById('status');
  if (!s) return;
  s.textContent = text;
  s.classList.toggle('error', error);
}

/** An error in Chinese with its stable code; a validation error names the fields it refused. */
export function errorText(err) {
  if (err instanceof ApiError) {
    const reason = Array.isArray(err.details)
      ? err.details.map((d) => d.field).join('、')
      : err.details?.reason;
    return `${err.message}${reason && reason !== err.message ? `（${reason}）` : ''} [${err.code}]`;
  }
  return String(err?.message ?? err);
}

/** Runs an action, showing its failure in the status line rather than losing it. */
export async function attempt(label, fn) {
  try {
    setStatus(`${label}…`);
    const r = await fn();
    setStatus(`${label}：完成`);
    return r;
  } catch (err) {
    setStatus(`${label}失败：${errorText(err)}`, true);
    return undefined;
  }
}

/** Elements marked data-perm are shown only to roles holding that permission. */
function applyPermissions(permissions, root = document) {
  for (const e of root.querySelectorAll('[data-perm]')) e.hidden = !permissions.includes(e.dataset.perm);
}

let session = null;
export const can = (permission) => Boolean(session?.permissions.includes(permission));

/** Loads the session, fills the top bar, then runs the page; sets body[data-ready] when done. */
export async function startPage(run) {
  try {
    session = await api('GET', '/api/auth/session');
  } catch {
    return; // api() already went to the login page
  }
  csrfToken = session.csrfToken;
  if (session.stage !== 'full') {
    toSetup();
    return;
  }
  applyPermissions(session.permissions);
  // A role that may not use this page (the superadmin has no calendar) goes to its first section.
  const section = document.querySelector('nav a[aria-current="page"]')?.closest('li');
  if (section?.hidden) {
    const first = document.querySelector('nav li:not([hidden]) a');
    if (first) {
      location.replace(first.getAttribute('href'));
      return;
    }
  }
  document.getElementById('who').textContent = `${session.user.displayName}（${session.user.username}）`;
  document.getElementById('logout').addEventListener('click', logout);
  try {
    await run(session);
  } catch (err) {
    setStatus(`加载失败：${errorText(err)}`, true);
  }
  document.body.dataset.ready = 'true';
}

/** Accounts by id, for labels; [] when the role may not read accounts. */
export async function loadAccounts(query = '') {
  if (!can('accounts.read')) return [];
  return (await api('GET', `/api/accounts${query}`)).items;
}

export const accountLabel = (a) => (a ? `${a.name}（${PLATFORM_LABELS[a.platform] ?? a.platform}）` : '—');

/**
 * Asks before a destructive or lasting action, in a modal <dialog> (Tab stays inside, Esc cancels).
 * `fields` adds text inputs, e.g. a reason. Resolves to the fields' values, or null when cancelled.
 */
export function ask({ title, message, confirmLabel = '确定', danger = false, fields = [] }) {
  const inputs = fields.map((f) =>
    el('input', {
      id: `ask-${f.name}`,
      name: f.name,
      required: f.required,
      maxlength: String(f.maxLength ?? 500),
      autocomplete: 'off',
    }),
  );
  const cancel = el('button', { type: 'button', class: 'btn secondary' }, '取消');
  const dialog = el(
    'dialog',
    { class: 'ask', 'aria-labelledby': 'ask-title', 'aria-describedby': 'ask-message' },
    el(
      'form',
      { method: 'dialog' },
      el('h2', { id: 'ask-title' }, title),
      el('p', { id: 'ask-message' }, message),
      fields.map((f, i) =>
        el('div', { class: 'field' }, el('label', { for: inputs[i].id }, f.label), inputs[i]),
      ),
      el(
        'div',
        { class: 'toolbar' },
        el('button', { type: 'submit', value: 'ok', class: danger ? 'btn danger' : 'btn' }, confirmLabel),
        cancel,
      ),
    ),
  );
  cancel.addEventListener('click', () => dialog.close('cancel'));
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      dialog.remove();
      resolve(ok ? Object.fromEntries(inputs.map((i) => [i.name, i.value.trim()])) : null);
    });
    dialog.showModal();
    // Nothing to type: start on 取消, so Enter alone never confirms a destructive action.
    if (!inputs.length) cancel.focus();
  });
}

// Shared by the portal's pages: the JSON API client (session cookie + CSRF header), safe DOM building
// (text is only ever set through textContent, never innerHTML), number formats and status labels.
import { lang, locale, t } from './portal-i18n.js';

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const here = () => location.pathname + location.search;

function toLogin() {
  location.assign(`/portal/login?next=${encodeURIComponent(here())}`);
}

function toSetup() {
  location.replace(`/portal/setup?next=${encodeURIComponent(here())}`);
}

/** Where to go after login or setup: `?next=` when it is a portal page (no open redirect), else /portal. */
export function nextPage() {
  const next = new URLSearchParams(location.search).get('next');
  const own = next && /^\/portal(\/|$|\?)/.test(next) && !/^\/portal\/(login|setup)/.test(next);
  return own ? next : '/portal';
}

/** The session's CSRF token changes when the session is rotated (password change). */
export function setCsrfToken(token) {
  csrfToken = token;
}

/**
 * Calls a portal API; a 401 sends the visitor to the login page, a session that must first change its
 * password to the setup page. Resolves to parsed JSON.
 */
export async function api(path, { method = 'GET', body } = {}) {
  // The API's error messages come back in the page's language.
  const headers = { accept: 'application/json', 'accept-language': lang };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  const e = json?.error ?? {};
  // Not a wrong password at login or in a password change (also 401): the session itself is gone.
  if (res.status === 401 && (e.code ?? 'UNAUTHENTICATED') === 'UNAUTHENTICATED') {
    toLogin();
    throw new ApiError(401, 'UNAUTHENTICATED', t('登录已失效，请重新登录'));
  }
  if (res.status === 403 && e.code === 'PASSWORD_CHANGE_REQUIRED') toSetup();
  if (!res.ok)
    throw new ApiError(
      res.status,
      e.code ?? 'HTTP_ERROR',
      e.message ?? t('请求失败（{status}）', { status: res.status }),
      e.details,
    );
  return json;
}

/** Builds an element; children are nodes or strings (strings become text nodes, never markup). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Text that may be long: cut with an ellipsis by CSS, the full text in the title attribute. */
export function clipped(text, tag = 'span') {
  return el(tag, { class: 'clip', title: text }, text);
}

const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });

export function fmt(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return (digits === 0 ? integer : decimal).format(value);
}

export function pct(value) {
  return value === null || value === undefined ? '—' : `${decimal.format(value)}%`;
}

export const STATUS_LABELS = {
  on_track: t('进度正常'),
  at_risk: t('存在风险'),
  off_track: t('落后于目标'),
};

/** A status as a coloured badge that also says it in words (colour is never the only signal). */
export function statusBadge(status) {
  const symbol = status === 'on_track' ? '✓' : status === 'at_risk' ? '!' : '✕';
  return el(
    'span',
    { class: `badge status-${status}` },
    el('span', { 'aria-hidden': 'true' }, symbol),
    ` ${STATUS_LABELS[status] ?? status}`,
  );
}

/** A data table: columns are [{ label, value(row) → string | Node, numeric? }]. */
export function dataTable(caption, columns, rows) {
  return el(
    'table',
    { class: 'data' },
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        columns.map((c) => el('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.label)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((r, i) =>
        el(
          'tr',
          {},
          columns.map((c) => el('td', { class: c.numeric ? 'num' : null }, c.value(r, i))),
        ),
      ),
    ),
  );
}

export function showError(message) {
  const box = document.getElementById('error');
  if (!box) return;
  box.textContent = message;
  box.hidden = !message;
}

export function setStatus(message) {
  const box = document.getElementById('status');
  if (box) box.textContent = message;
}

/**
 * Loads the session (sending a signed-out visitor to the login page, and a session that must first change
 * its password to the setup page), fills the top bar, wires logout, and shows the inbox link only to those
 * who may review.
 */
export async function startSession() {
  const session = await api('/portal/api/auth/session');
  csrfToken = session.csrfToken;
  if (session.stage !== 'full') {
    toSetup();
    // The page is being left: its loading code never runs on a session the API would refuse.
    return new Promise(() => {});
  }
  const who = document.getElementById('who');
  if (who) who.textContent = session.user.displayName;
  const inboxLink = document.querySelector('[data-nav="inbox"]');
  if (inboxLink) inboxLink.hidden = !session.permissions.includes('portal.review');
  document.getElementById('logout')?.addEventListener('click', logout);
  return session;
}

/** Ends the session and goes to the login page (also when the call fails). */
export async function logout() {
  try {
    await api('/portal/api/auth/logout', { method: 'POST', body: {} });
  } finally {
    location.assign('/portal/login');
  }
}

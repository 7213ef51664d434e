// The portal's language on the browser side: the page's <html lang> (the server picked the shell by the
// yy_lang cookie), `t()` for the strings the modules build, and the switch that changes the cookie. The
// monthly report's page is always zh-CN, so the shared drawing code stays Chinese in the PDF.
import { EN } from './portal-en.js';

export const lang = document.documentElement.lang === 'en' ? 'en' : 'zh-CN';
/** For Intl number and date formats. */
export const locale = lang;

/**
 * The text for a Chinese source string: its English entry when the page is English (the Chinese when an
 * entry is missing — a unit test checks there is none), with `{name}` placeholders filled from `vars`.
 */
export function t(zh, vars = {}) {
  const text = lang === 'en' ? (EN[zh] ?? zh) : zh;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

// A year, on the portal's paths only; Lax so that following a link into the portal keeps the language.
const COOKIE_MAX_AGE = 365 * 24 * 3600;
document.getElementById('lang-switch')?.addEventListener('click', (event) => {
  const next = event.currentTarget.dataset.lang === 'en' ? 'en' : 'zh-CN';
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing from the browsers clients use (Firefox, older 360/QQ builds); the value is one of two constants.
  document.cookie = `yy_lang=${next}; path=/portal; max-age=${COOKIE_MAX_AGE}; samesite=lax`;
  location.reload();
});

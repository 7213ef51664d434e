import { escapeHtml } from '../../core/html.js';
import { type PortalAssetName, portalAssets } from './assets.js';
import { inLang, type PortalLang } from './lang.js';

export interface ShellOptions {
  /** The page's own title (escaped here). */
  title: string;
  /** Trusted markup built by the page templates, which escape every value they insert. */
  body: string;
  /** Classic scripts first (chart.js defines a global), then ES modules; all from 'self' (CSP). */
  scripts?: PortalAssetName[];
  modules?: PortalAssetName[];
  /** data-page on <body>, read by the browser modules. */
  page: string;
  /** Stylesheets after portal.css (the report's print rules). */
  styles?: PortalAssetName[];
  /** The page's language (<html lang>, which portal-i18n.js reads); Chinese unless given. */
  lang?: PortalLang;
}

/** The HTML document around every portal page: no inline script, so the CSP stays script-src 'self'. */
export function portalShell(o: ShellOptions): string {
  const scripts = (o.scripts ?? []).map(
    (s) => `<script src="${escapeHtml(portalAssets.url(s))}" defer></script>`,
  );
  const modules = (o.modules ?? []).map(
    (s) => `<script type="module" src="${escapeHtml(portalAssets.url(s))}"></script>`,
  );
  const lang = o.lang ?? 'zh-CN';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} · ${inLang(lang, '运营 Yunying 客户门户', 'Yunying client portal')}</title>
<link rel="icon" href="data:,">
${['portal.css' as const, ...(o.styles ?? [])].map((s) => `<link rel="stylesheet" href="${escapeHtml(portalAssets.url(s))}">`).join('\n')}
${[...scripts, ...modules].join('\n')}
</head>
<body data-page="${escapeHtml(o.page)}">
<a class="skip-link" href="#main">${inLang(lang, '跳到主要内容', 'Skip to main content')}</a>
${o.body}
</body>
</html>`;
}

/**
 * The language switch (top bar and login page): names the other language in that language; portal-i18n.js
 * stores the choice in the cookie and reloads the page.
 */
export function langSwitch(lang: PortalLang): string {
  const to: PortalLang = lang === 'en' ? 'zh-CN' : 'en';
  return `<button type="button" id="lang-switch" class="btn secondary lang-switch" data-lang="${to}" lang="${to}">${to === 'en' ? 'English' : '中文'}</button>`;
}

/** The top bar of a signed-in page; the user's name and the inbox link are filled in by portal-common.js. */
export function portalHeader(current: 'dashboard' | 'inbox', lang: PortalLang = 'zh-CN'): string {
  const link = (href: string, key: typeof current, text: string, hidden = false) =>
    `<a href="${href}"${key === current ? ' aria-current="page"' : ''}${hidden ? ' hidden' : ''} data-nav="${key}">${text}</a>`;
  const t = (zh: string, en: string) => inLang(lang, zh, en);
  return `<header class="topbar">
  <span class="brand">${t('运营 · 客户门户', 'Yunying · Client portal')}</span>
  <nav aria-label="${t('主导航', 'Main navigation')}">
    ${link('/portal', 'dashboard', t('数据看板', 'Dashboard'))}
    ${link('/portal/inbox', 'inbox', t('待审内容', 'For review'), true)}
  </nav>
  <span class="who" id="who" aria-live="polite"></span>
  ${langSwitch(lang)}
  <button type="button" id="logout" class="btn secondary">${t('退出登录', 'Sign out')}</button>
</header>`;
}

import { escapeHtml } from '../../core/html.js';
import { type PortalAssetName, portalAssets } from './assets.js';

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
}

/** The HTML document around every portal page: no inline script, so the CSP stays script-src 'self'. */
export function portalShell(o: ShellOptions): string {
  const scripts = (o.scripts ?? []).map(
    (s) => `<script src="${escapeHtml(portalAssets.url(s))}" defer></script>`,
  );
  const modules = (o.modules ?? []).map(
    (s) => `<script type="module" src="${escapeHtml(portalAssets.url(s))}"></script>`,
  );
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} · 运营 Yunying 客户门户</title>
<link rel="icon" href="data:,">
${['portal.css' as const, ...(o.styles ?? [])].map((s) => `<link rel="stylesheet" href="${escapeHtml(portalAssets.url(s))}">`).join('\n')}
${[...scripts, ...modules].join('\n')}
</head>
<body data-page="${escapeHtml(o.page)}">
<a class="skip-link" href="#main">跳到主要内容</a>
${o.body}
</body>
</html>`;
}

/** The top bar of a signed-in page; the user's name and the inbox link are filled in by portal-common.js. */
export function portalHeader(current: 'dashboard' | 'inbox'): string {
  const link = (href: string, key: typeof current, text: string, hidden = false) =>
    `<a href="${href}"${key === current ? ' aria-current="page"' : ''}${hidden ? ' hidden' : ''} data-nav="${key}">${text}</a>`;
  return `<header class="topbar">
  <span class="brand">运营 · 客户门户</span>
  <nav aria-label="主导航">
    ${link('/portal', 'dashboard', '数据看板')}
    ${link('/portal/inbox', 'inbox', '待审内容', true)}
  </nav>
  <span class="who" id="who" aria-live="polite"></span>
  <button type="button" id="logout" class="btn secondary">退出登录</button>
</header>`;
}

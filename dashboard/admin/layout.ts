import { escapeHtml } from '../../core/html.js';
import type { Permission } from '../../core/identity/permissions.js';
import { type AdminAssetName, adminAssets } from './assets.js';

/** The sections of the backend: path, label, and the permission that shows the link. */
export const ADMIN_NAV: ReadonlyArray<{ key: string; href: string; label: string; permission: Permission }> =
  [
    { key: 'calendar', href: '/admin', label: '内容日历', permission: 'content.read' },
    { key: 'contents', href: '/admin/contents', label: '内容列表', permission: 'content.read' },
    { key: 'accounts', href: '/admin/accounts', label: '账号与凭据', permission: 'accounts.read' },
    { key: 'kpi', href: '/admin/kpi', label: '考核目标', permission: 'kpi.read' },
    { key: 'metrics', href: '/admin/metrics', label: '数据导入', permission: 'metrics.manage' },
    { key: 'campaigns', href: '/admin/campaigns', label: '营销活动', permission: 'campaigns.read' },
    { key: 'reports', href: '/admin/reports', label: '月度报告', permission: 'reports.read' },
    { key: 'alerts', href: '/admin/alerts', label: '告警渠道', permission: 'alerts.read' },
    { key: 'users', href: '/admin/users', label: '用户管理', permission: 'users.read' },
    {
      key: 'organisations',
      href: '/admin/organisations',
      label: '客户单位',
      permission: 'organisations.read',
    },
    { key: 'audit', href: '/admin/audit', label: '审计日志', permission: 'audit.read' },
  ];

/** A labelled form field; `input` is trusted markup, `hint` is shown under it and named by its id. */
export const field = (id: string, label: string, input: string, hint = '') =>
  `<div class="field"><label for="${id}">${label}</label>${input}${hint ? `<small id="${id}-hint">${hint}</small>` : ''}</div>`;

export interface AdminShellOptions {
  title: string;
  /** data-page on <body>, read by the browser modules. */
  page: string;
  /** Trusted markup from the page templates, which escape every value they insert. */
  body: string;
  /** The nav entry marked as current; none on the login page (no nav there). */
  nav?: string;
  modules: AdminAssetName[];
}

/**
 * The HTML document around every backend page. No inline script (CSP script-src 'self'); nav links
 * start hidden and admin-common.js reveals the ones the signed-in role may use.
 */
export function adminShell(o: AdminShellOptions): string {
  const modules = o.modules.map(
    (s) => `<script type="module" src="${escapeHtml(adminAssets.url(s))}"></script>`,
  );
  const header =
    o.nav === undefined
      ? ''
      : `<header class="topbar">
  <span class="brand">运营 · 后台</span>
  <nav aria-label="主导航"><ul>
${ADMIN_NAV.map(
  (n) =>
    `    <li data-perm="${escapeHtml(n.permission)}" hidden><a href="${escapeHtml(n.href)}"${n.key === o.nav ? ' aria-current="page"' : ''}>${escapeHtml(n.label)}</a></li>`,
).join('\n')}
  </ul></nav>
  <span class="who" id="who"></span>
  <button type="button" id="logout" class="btn secondary">退出登录</button>
</header>`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} · 运营 Yunying 后台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(adminAssets.url('admin.css'))}">
${modules.join('\n')}
</head>
<body data-page="${escapeHtml(o.page)}">
<a class="skip-link" href="#main">跳到主要内容</a>
${header}
<main id="main" tabindex="-1">
<h1>${escapeHtml(o.title)}</h1>
<p id="status" class="status" role="status" aria-live="polite"></p>
${o.body}
</main>
</body>
</html>`;
}

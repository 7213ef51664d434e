import type { BackendRole, PortalRole, Role, Surface } from './identity.table.js';

/**
 * The permission matrix: the one place that says which role may do what. Every HTTP route declares
 * one permission (or `public`) in its `config`; start-up fails when a route declares none.
 * The three administrator roles do not overlap (等保2.0 三权分立): the superadmin manages accounts
 * and organisations, the security admin grants roles and handles lockouts and sessions, the auditor
 * reads the audit log and nothing else.
 */
export const PERMISSIONS = [
  // Backend: one's own session, password and two-factor settings.
  'auth.self',
  'users.read',
  'users.create',
  'users.update',
  'users.grant_role',
  'users.unlock',
  'users.reset_2fa',
  'users.revoke_sessions',
  'users.handover_superadmin',
  'organisations.read',
  'organisations.manage',
  'audit.read',
  'accounts.read',
  'accounts.manage',
  'accounts.verify',
  // Content: editions and Weibo posts, their review and schedule.
  'content.read',
  'content.write',
  'content.submit',
  'content.schedule',
  'content.cancel',
  /** Review as one of an organisation's named backend reviewers (the membership is checked too). */
  'content.review',
  /** Submit despite blocking proofreading findings, with a reason (audited). */
  'content.proof_override',
  'media.read',
  'media.write',
  'dictionaries.manage',
  /** Working-day overrides for years the official calendar package does not know. */
  'calendar.manage',
  /** The BullMQ queue board at /admin/queues. */
  'queues.manage',
  'alerts.read',
  /** Alert channels (WeCom, DingTalk, webhook) of an organisation, and their test messages. */
  'alerts.manage',
  // Metrics, KPI targets and campaigns.
  'metrics.read',
  /** Backfills and manual imports of figures. */
  'metrics.manage',
  'kpi.read',
  /** KPI targets and contract deliverables (features, topic pages). */
  'kpi.manage',
  'campaigns.read',
  'campaigns.manage',
  /** Monthly reports (运营数据月报): list and download. */
  'reports.read',
  /** Request a month's report, or regenerate it as a new version (audited). */
  'reports.manage',
  // Portal: one's own session and password.
  'portal.self',
  /** Portal: the organisation's pending content, its preview, approve and reject. */
  'portal.review',
  /** Portal: the organisation's KPI summary, metrics and campaigns (read only). */
  'portal.dashboard',
] as const;

export type Permission = (typeof PERMISSIONS)[number];
/** `public`: no session needed (login, health). Backend public routes are still behind the allow-list. */
export type RoutePermission = Permission | 'public';

export const BACKEND_ROLES: readonly BackendRole[] = [
  'superadmin',
  'security_admin',
  'auditor',
  'editor',
  'planner',
];
export const PORTAL_ROLES: readonly PortalRole[] = ['client_approver', 'client_viewer'];
export const ROLES: readonly Role[] = [...BACKEND_ROLES, ...PORTAL_ROLES];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  superadmin: [
    'auth.self',
    'users.read',
    'users.create',
    'users.update',
    'users.unlock',
    'users.revoke_sessions',
    'users.handover_superadmin',
    'organisations.read',
    'organisations.manage',
    'accounts.read',
    'accounts.manage',
    'accounts.verify',
    'calendar.manage',
    'alerts.read',
    'alerts.manage',
    'queues.manage',
    'metrics.read',
    'metrics.manage',
    'kpi.read',
    'campaigns.read',
    'reports.read',
  ],
  security_admin: [
    'auth.self',
    'users.read',
    'users.grant_role',
    'users.unlock',
    'users.reset_2fa',
    'users.revoke_sessions',
    'organisations.read',
  ],
  auditor: ['auth.self', 'audit.read'],
  editor: [
    'auth.self',
    'organisations.read',
    'accounts.read',
    'accounts.verify',
    'content.read',
    'content.write',
    'content.submit',
    'content.schedule',
    'content.cancel',
    'content.review',
    'content.proof_override',
    'media.read',
    'media.write',
    'dictionaries.manage',
    'alerts.read',
    'alerts.manage',
    'metrics.read',
    'kpi.read',
    'campaigns.read',
    'reports.read',
    'reports.manage',
  ],
  planner: [
    'auth.self',
    'organisations.read',
    'accounts.read',
    'content.read',
    'content.review',
    'media.read',
    'dictionaries.manage',
    'alerts.read',
    'metrics.read',
    'metrics.manage',
    'kpi.read',
    'kpi.manage',
    'campaigns.read',
    'campaigns.manage',
    'reports.read',
    'reports.manage',
  ],
  client_approver: ['portal.self', 'portal.review', 'portal.dashboard'],
  client_viewer: ['portal.self', 'portal.dashboard'],
};

export function surfaceOf(role: Role): Surface {
  return (PORTAL_ROLES as readonly string[]).includes(role) ? 'portal' : 'backend';
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Which surface a URL belongs to: the backend (allow-listed, staff sessions), the portal, or neither. */
export function surfaceOfUrl(url: string): Surface | 'public' {
  const path = url.split('?')[0] ?? '';
  if (path === '/api' || path.startsWith('/api/') || path === '/admin' || path.startsWith('/admin/'))
    return 'backend';
  if (path.startsWith('/portal/api/')) return 'portal';
  return 'public';
}

/** Routes added by plugins that cannot carry a `config` (the OpenAPI UI): public by declaration here. */
export const PUBLIC_ROUTE_PREFIXES: readonly string[] = ['/docs'];

/** Routes added by plugins under a prefix, and the permission each of them requires. */
export const PLUGIN_ROUTE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  '/admin/queues': 'queues.manage',
};

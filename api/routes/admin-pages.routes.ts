import type { FastifyPluginAsync } from 'fastify';
import { adminAssets } from '../../dashboard/admin/assets.js';
import { adminImportsPage } from '../../dashboard/admin/imports.page.js';
import { adminManagePage, MANAGE_PAGES } from '../../dashboard/admin/manage.page.js';
import {
  adminCalendarPage,
  adminContentsPage,
  adminEditorPage,
  adminLoginPage,
  adminSetupPage,
} from '../../dashboard/admin/pages.js';
import { adminReportsPage } from '../../dashboard/admin/reports.page.js';
import { serveAssets, servePages } from './static-assets.route.js';

/**
 * The backend pages (/admin) and their static files. The shells are public (still behind the IP
 * allow-list, as every /admin URL): they hold no data, every figure comes from /api/*, which checks the
 * session and the role. /admin/queues belongs to the queue board and is not served here.
 */
export const adminPageRoutes: FastifyPluginAsync = async (app) => {
  // Rendered once: the shells depend only on the asset hashes, fixed for the life of the process.
  const editor = adminEditorPage();
  servePages(app, {
    '/admin': adminCalendarPage(),
    '/admin/login': adminLoginPage(),
    '/admin/setup': adminSetupPage(),
    '/admin/contents': adminContentsPage(),
    '/admin/contents/new': editor,
    '/admin/contents/:id': editor,
    '/admin/reports': adminReportsPage(),
    '/admin/metrics': adminImportsPage(),
    // /admin/accounts, /admin/organisations, /admin/kpi, /admin/campaigns, /admin/alerts, /admin/users, /admin/audit
    ...Object.fromEntries(MANAGE_PAGES.map((key) => [`/admin/${key}`, adminManagePage(key)])),
  });
  serveAssets(app, adminAssets);
};

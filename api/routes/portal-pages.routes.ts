import type { FastifyPluginAsync } from 'fastify';
import { portalAssets } from '../../dashboard/portal/assets.js';
import { portalDashboardPage } from '../../dashboard/portal/dashboard.page.js';
import { portalInboxPage } from '../../dashboard/portal/inbox.page.js';
import { portalLoginPage } from '../../dashboard/portal/login.page.js';
import { portalSetupPage } from '../../dashboard/portal/setup.page.js';
import { serveAssets, servePages } from './static-assets.route.js';

/**
 * The client portal's pages and their static files. The pages are public shells with no data in them:
 * every figure comes from /portal/api/*, which checks the session, and the browser modules send a
 * signed-out visitor to /portal/login.
 */
export const portalPageRoutes: FastifyPluginAsync = async (app) => {
  // Rendered once: the shells depend only on the asset hashes, fixed for the life of the process.
  servePages(app, {
    '/portal': portalDashboardPage(),
    '/portal/login': portalLoginPage(),
    '/portal/setup': portalSetupPage(),
    '/portal/inbox': portalInboxPage(),
  });
  serveAssets(app, portalAssets);
};

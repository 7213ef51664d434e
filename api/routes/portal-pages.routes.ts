import type { FastifyPluginAsync } from 'fastify';
import { portalAssets } from '../../dashboard/portal/assets.js';
import { portalDashboardPage } from '../../dashboard/portal/dashboard.page.js';
import { portalInboxPage } from '../../dashboard/portal/inbox.page.js';
import { LANG_COOKIE, PORTAL_LANGS, type PortalLang, portalLangOf } from '../../dashboard/portal/lang.js';
import { portalLoginPage } from '../../dashboard/portal/login.page.js';
import { portalSetupPage } from '../../dashboard/portal/setup.page.js';
import { serveAssets, serveLocalizedPages } from './static-assets.route.js';

/** Each shell rendered in both languages. */
const inEveryLang = (page: (lang: PortalLang) => string) =>
  Object.fromEntries(PORTAL_LANGS.map((lang) => [lang, page(lang)])) as Record<PortalLang, string>;

/**
 * The client portal's pages and their static files. The pages are public shells with no data in them:
 * every figure comes from /portal/api/*, which checks the session, and the browser modules send a
 * signed-out visitor to /portal/login. The `yy_lang` cookie (set by the language switch) picks Chinese or
 * English.
 */
export const portalPageRoutes: FastifyPluginAsync = async (app) => {
  // Rendered once per language: the shells depend only on the asset hashes, fixed for the life of the process.
  serveLocalizedPages(
    app,
    {
      '/portal': inEveryLang(portalDashboardPage),
      '/portal/login': inEveryLang(portalLoginPage),
      '/portal/setup': inEveryLang(portalSetupPage),
      '/portal/inbox': inEveryLang(portalInboxPage),
    },
    (request) => portalLangOf(request.cookies[LANG_COOKIE]),
  );
  serveAssets(app, portalAssets);
};

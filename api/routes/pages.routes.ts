import type { FastifyPluginAsync } from 'fastify';
import { adminPageRoutes } from './admin-pages.routes.js';
import { portalPageRoutes } from './portal-pages.routes.js';

/** The backend and portal pages; placeholders until the dashboard issue builds them. */
export const pageRoutes: FastifyPluginAsync = async (app) => {
  const html = { schema: { hide: true }, config: { permission: 'public' } } as const;
  app.get('/', html, async (_req, reply) => reply.redirect('/admin'));
  // The backend pages: /admin, /admin/login, /admin/contents/*, … and /admin/assets/*.
  await app.register(adminPageRoutes);
  // The client portal: /portal, /portal/login, /portal/inbox and /portal/assets/*.
  await app.register(portalPageRoutes);
};

import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { portalAsset } from '../../dashboard/portal/assets.js';
import { portalDashboardPage } from '../../dashboard/portal/dashboard.page.js';
import { portalInboxPage } from '../../dashboard/portal/inbox.page.js';
import { portalLoginPage } from '../../dashboard/portal/login.page.js';

const YEAR = 365 * 24 * 3600;

/**
 * The client portal's pages and their static files. The pages are public shells with no data in them:
 * every figure comes from /portal/api/*, which checks the session, and the browser modules send a
 * signed-out visitor to /portal/login.
 */
export const portalPageRoutes: FastifyPluginAsync = async (app) => {
  const html = { schema: { hide: true }, config: { permission: 'public' } } as const;
  // Rendered once: the shells depend only on the asset hashes, fixed for the life of the process.
  const pages = {
    login: portalLoginPage(),
    dashboard: portalDashboardPage(),
    inbox: portalInboxPage(),
  };
  const send = (body: string) => (_req: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);

  app.get('/portal', html, send(pages.dashboard));
  app.get('/portal/login', html, send(pages.login));
  app.get('/portal/inbox', html, send(pages.inbox));

  app.get<{ Params: { file: string }; Querystring: { v?: string } }>(
    '/portal/assets/:file',
    html,
    async (request, reply) => {
      const asset = portalAsset(request.params.file);
      if (!asset) return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
      // The hash in the URL pins the content, so such a URL never changes; any other URL is revalidated.
      const pinned = request.query.v === asset.hash;
      return reply
        .type(asset.contentType)
        .header('cache-control', pinned ? `public, max-age=${YEAR}, immutable` : 'no-cache')
        .header('etag', `"${asset.hash}"`)
        .header('x-content-type-options', 'nosniff')
        .send(asset.body);
    },
  );
};

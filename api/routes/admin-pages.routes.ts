import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { adminAsset } from '../../dashboard/admin/assets.js';
import {
  adminCalendarPage,
  adminContentsPage,
  adminEditorPage,
  adminLoginPage,
  adminManagePage,
} from '../../dashboard/admin/pages.js';

const YEAR = 365 * 24 * 3600;

/**
 * The backend pages (/admin) and their static files. The shells are public (still behind the IP
 * allow-list, as every /admin URL): they hold no data, every figure comes from /api/*, which checks the
 * session and the role. /admin/queues belongs to the queue board and is not served here.
 */
export const adminPageRoutes: FastifyPluginAsync = async (app) => {
  const html = { schema: { hide: true }, config: { permission: 'public' } } as const;
  // Rendered once: the shells depend only on the asset hashes, fixed for the life of the process.
  const editor = adminEditorPage();
  const pages: Record<string, string> = {
    '/admin': adminCalendarPage(),
    '/admin/login': adminLoginPage(),
    '/admin/contents': adminContentsPage(),
    '/admin/contents/new': editor,
    '/admin/contents/:id': editor,
    '/admin/accounts': adminManagePage('accounts'),
    '/admin/kpi': adminManagePage('kpi'),
    '/admin/campaigns': adminManagePage('campaigns'),
    '/admin/alerts': adminManagePage('alerts'),
    '/admin/users': adminManagePage('users'),
    '/admin/audit': adminManagePage('audit'),
  };
  const send = (body: string) => async (_req: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);
  for (const [url, body] of Object.entries(pages)) app.get(url, html, send(body));

  app.get<{ Params: { file: string }; Querystring: { v?: string } }>(
    '/admin/assets/:file',
    html,
    async (request, reply) => {
      const asset = adminAsset(request.params.file);
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

import type { FastifyPluginAsync } from 'fastify';
import { placeholderPage } from '../../dashboard/placeholder.page.js';

/** The backend and portal pages; placeholders until the dashboard issue builds them. */
export const pageRoutes: FastifyPluginAsync = async (app) => {
  const html = { schema: { hide: true }, config: { permission: 'public' } } as const;
  app.get('/', html, async (_req, reply) => reply.redirect('/admin'));
  app.get('/admin', html, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(placeholderPage({ title: '运营后台', subtitle: 'Yunying backend' })),
  );
  app.get('/portal', html, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(placeholderPage({ title: '客户门户', subtitle: 'Yunying client portal' })),
  );
};

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AssetStore } from '../../dashboard/shared/static-assets.js';

const YEAR = 365 * 24 * 3600;

/**
 * Serves a store's files at `<prefix>/:file`. Public (still behind the IP allow-list on /admin): the
 * files hold no data. The hash in `?v=` pins the content, so such a URL is cached as immutable; any other
 * URL is revalidated against the ETag.
 */
export function serveAssets(app: FastifyInstance, store: AssetStore<string>): void {
  app.get<{ Params: { file: string }; Querystring: { v?: string } }>(
    `${store.prefix}/:file`,
    { schema: { hide: true }, config: { permission: 'public' } },
    async (request, reply) => {
      const asset = store.get(request.params.file);
      if (!asset) return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
      const pinned = request.query.v === asset.hash;
      return reply
        .type(asset.contentType)
        .header('cache-control', pinned ? `public, max-age=${YEAR}, immutable` : 'no-cache')
        .header('etag', `"${asset.hash}"`)
        .header('x-content-type-options', 'nosniff')
        .send(asset.body);
    },
  );
}

/**
 * One HTML route, sent uncached (the shells name hashed assets); `bodyOf` picks the body for the request.
 * A body that differs by a cookie says so (`vary`).
 */
function servePage(
  app: FastifyInstance,
  url: string,
  bodyOf: (request: FastifyRequest) => string,
  vary?: string,
): void {
  app.get(url, { schema: { hide: true }, config: { permission: 'public' } }, async (request, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache');
    if (vary) reply.header('vary', vary);
    return reply.send(bodyOf(request));
  });
}

/** Registers each path with the same HTML body. */
export function servePages(app: FastifyInstance, pages: Record<string, string>): void {
  for (const [url, body] of Object.entries(pages)) servePage(app, url, () => body);
}

/**
 * Like servePages, with one body per language: `langOf` picks it from the request. The body differs by a
 * cookie, so the answer says so (Vary: Cookie) besides being revalidated on every visit.
 */
export function serveLocalizedPages<Lang extends string>(
  app: FastifyInstance,
  pages: Record<string, Record<Lang, string>>,
  langOf: (request: FastifyRequest) => Lang,
): void {
  for (const [url, bodies] of Object.entries<Record<Lang, string>>(pages))
    servePage(app, url, (request) => bodies[langOf(request)], 'Cookie');
}

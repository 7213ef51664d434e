import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { reviewContent, reviewInbox } from '../../core/content/content.review.js';
import {
  type ContentContext,
  contentUsesMedia,
  getContent,
  listTransitions,
  previewContent,
} from '../../core/content/content.service.js';
import { AppError } from '../../core/errors.js';
import { readMedia } from '../../core/media/media.service.js';
import { actorOf, portalOrganisationOf } from '../plugins/auth.js';
import { ContentSummary, ContentView, ReviewBody, Transition } from '../schemas/content.schemas.js';
import { authErrors, IdParams, Uuid } from '../schemas/identity.schemas.js';

const tags = ['portal'];

/** The client approver's side of the review: only their organisation's content, never another's. */
export const portalContentRoutes: FastifyPluginAsyncTypebox<ContentContext & { dataDir: string }> = async (
  app,
  ctx,
) => {
  const orgOf = portalOrganisationOf;

  app.get(
    '/',
    {
      config: { permission: 'portal.review' },
      schema: {
        tags,
        summary: 'The approval inbox: content waiting for review',
        response: { 200: Type.Object({ items: Type.Array(ContentSummary) }), ...authErrors },
      },
    },
    async (request) => ({ items: await reviewInbox(ctx.db, orgOf(request)) }),
  );

  app.get(
    '/:id',
    {
      config: { permission: 'portal.review' },
      schema: {
        tags,
        summary: 'One item under review',
        params: IdParams,
        response: { 200: ContentView, ...authErrors },
      },
    },
    async (request) => getContent(ctx.db, request.params.id, orgOf(request)),
  );

  app.get(
    '/:id/timeline',
    {
      config: { permission: 'portal.review' },
      schema: {
        tags,
        summary: 'Status history',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Transition) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listTransitions(ctx.db, request.params.id, orgOf(request)) }),
  );

  app.get(
    '/:id/preview',
    {
      config: { permission: 'portal.review' },
      schema: { tags, summary: 'The content as a follower will see it (HTML page)', params: IdParams },
    },
    async (request, reply) => {
      const id = request.params.id;
      const html = await previewContent(
        ctx.db,
        id,
        (mediaId) => `/portal/api/contents/${id}/media/${mediaId}`,
        orgOf(request),
      );
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  app.get(
    '/:id/media/:mediaId',
    {
      config: { permission: 'portal.review' },
      schema: {
        tags,
        summary: 'An image of the item under review',
        params: Type.Object({ id: Uuid, mediaId: Uuid }),
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      if (!(await contentUsesMedia(ctx.db, request.params.id, request.params.mediaId, org)))
        throw new AppError('MEDIA_NOT_FOUND', 'No such image', 404);
      const { media, bytes } = await readMedia(ctx, request.params.mediaId, org);
      return reply.type(media.mime).header('x-content-type-options', 'nosniff').send(bytes);
    },
  );

  app.post(
    '/:id/review',
    {
      config: { permission: 'portal.review' },
      schema: {
        tags,
        summary: 'Approve or reject (a comment is required to reject)',
        params: IdParams,
        body: ReviewBody,
        response: { 200: ContentView, ...authErrors },
      },
    },
    async (request) =>
      reviewContent(ctx, actorOf(request), request.params.id, request.body, {
        organisationId: orgOf(request),
      }),
  );
};

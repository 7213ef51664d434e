import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { reviewContent } from '../../core/content/content.review.js';
import {
  type ContentContext,
  cancelContent,
  changeArticle,
  createContent,
  getContent,
  getRevision,
  listContents,
  listRevisions,
  listTransitions,
  previewContent,
  scheduleContent,
  submitContent,
  updateContent,
  withdrawContent,
} from '../../core/content/content.service.js';
import { mediaUrl } from '../../core/media/media.service.js';
import { publishingView } from '../../core/publishing/publishing.view.js';
import { actorOf } from '../plugins/auth.js';
import {
  ArticleInput,
  BodyInput,
  ContentStatusName,
  ContentSummary,
  ContentView,
  PublishAt,
  Report,
  ReviewBody,
  Transition,
} from '../schemas/content.schemas.js';
import { authErrors, IdParams, Nullable, Uuid } from '../schemas/identity.schemas.js';

const tags = ['content'];
const Reason = Type.String({ minLength: 1, maxLength: 500 });
const ok = { 200: ContentView, ...authErrors };
/** Eight articles of sanitisable HTML can exceed the default 1 MB before sanitising. */
const bodyLimit = 4 * 1024 * 1024;

export const contentRoutes: FastifyPluginAsyncTypebox<ContentContext> = async (app, ctx) => {
  app.get(
    '/',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'List content; with from/to, the content calendar (by planned publish time)',
        querystring: Type.Object(
          {
            organisationId: Type.Optional(Uuid),
            accountId: Type.Optional(Uuid),
            status: Type.Optional(Type.Array(ContentStatusName)),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ContentSummary) }), ...authErrors },
      },
    },
    async (request) => {
      const q = request.query;
      return {
        items: await listContents(ctx.db, {
          ...q,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        }),
      };
    },
  );

  app.post(
    '/',
    {
      config: { permission: 'content.write' },
      bodyLimit,
      schema: {
        tags,
        summary: 'Create a WeChat edition or a Weibo post (revision 1, proofread on save)',
        body: Type.Object(
          { accountId: Uuid, body: BodyInput, publishAt: Type.Optional(PublishAt) },
          { additionalProperties: false },
        ),
        response: { 201: ContentView, ...authErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      const { body, ...rest } = request.body;
      return createContent(ctx, actorOf(request), { ...rest, body });
    },
  );

  app.get(
    '/:id',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'One item: current revision, findings, limits, review, SLA',
        params: IdParams,
        response: ok,
      },
    },
    async (request) => getContent(ctx.db, request.params.id),
  );

  app.patch(
    '/:id',
    {
      config: { permission: 'content.write' },
      bodyLimit,
      schema: {
        tags,
        summary: 'Edit: a new revision (approved or scheduled content goes back to review)',
        params: IdParams,
        body: Type.Object(
          {
            body: Type.Optional(BodyInput),
            publishAt: Type.Optional(PublishAt),
            baseRevision: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: ok,
      },
    },
    async (request) => {
      const { body, ...rest } = request.body;
      return updateContent(ctx, actorOf(request), request.params.id, {
        ...rest,
        ...(body ? { body } : {}),
      });
    },
  );

  const ArticleParams = Type.Object({ id: Uuid, index: Type.Integer({ minimum: 0, maximum: 7 }) });
  const BaseRevision = Type.Optional(
    Type.Integer({ minimum: 1, description: 'the revision the editor started from' }),
  );

  app.post(
    '/:id/articles',
    {
      config: { permission: 'content.write' },
      bodyLimit,
      schema: {
        tags,
        summary: 'Add an article to an edition (at most 8), at the end or at a position',
        params: IdParams,
        body: Type.Object(
          {
            article: ArticleInput,
            position: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 })),
            baseRevision: BaseRevision,
          },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (request) => {
      const { article, position, baseRevision } = request.body;
      return changeArticle(
        ctx,
        actorOf(request),
        request.params.id,
        { op: 'add', article: article, position },
        baseRevision,
      );
    },
  );

  app.put(
    '/:id/articles/:index',
    {
      config: { permission: 'content.write' },
      bodyLimit,
      schema: {
        tags,
        summary: 'Replace one article of an edition (index from 0)',
        params: ArticleParams,
        body: Type.Object(
          { article: ArticleInput, baseRevision: BaseRevision },
          { additionalProperties: false },
        ),
        response: ok,
      },
    },
    async (request) =>
      changeArticle(
        ctx,
        actorOf(request),
        request.params.id,
        { op: 'replace', index: request.params.index, article: request.body.article },
        request.body.baseRevision,
      ),
  );

  app.delete(
    '/:id/articles/:index',
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Remove one article of an edition (not the last one)',
        params: ArticleParams,
        response: ok,
      },
    },
    async (request) =>
      changeArticle(ctx, actorOf(request), request.params.id, { op: 'remove', index: request.params.index }),
  );

  app.get(
    '/:id/preview',
    {
      config: { permission: 'content.read' },
      schema: { tags, summary: 'The content as a follower will see it (HTML page)', params: IdParams },
    },
    async (request, reply) => {
      const html = await previewContent(ctx.db, request.params.id, mediaUrl);
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  app.get(
    '/:id/publishing',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'Publishing: attempts with steps and errors, platform ids, lease, outcome and URLs',
        params: IdParams,
        response: { 200: Type.Unknown(), ...authErrors },
      },
    },
    async (request) => publishingView(ctx.db, request.params.id),
  );

  app.get(
    '/:id/revisions',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'Revision history, newest first',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                revision: Type.Integer(),
                createdBy: Nullable(Type.String()),
                createdByName: Nullable(Type.String()),
                createdAt: Type.String(),
                findings: Type.Integer(),
              }),
            ),
          }),
          ...authErrors,
        },
      },
    },
    async (request) => ({ items: await listRevisions(ctx.db, request.params.id) }),
  );

  app.get(
    '/:id/revisions/:revision',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'One revision with its proofreading findings and limits',
        params: Type.Object({ id: Uuid, revision: Type.Integer({ minimum: 1 }) }),
        response: {
          200: Type.Object({
            revision: Type.Integer(),
            body: Type.Unknown(),
            findings: Type.Array(Type.Unknown()),
            report: Report,
            createdBy: Nullable(Type.String()),
            createdAt: Type.String(),
          }),
          ...authErrors,
        },
      },
    },
    async (request) => getRevision(ctx.db, request.params.id, request.params.revision),
  );

  app.get(
    '/:id/timeline',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'Every status change with actor and reason',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Transition) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listTransitions(ctx.db, request.params.id) }),
  );

  app.post(
    '/:id/submit',
    {
      config: { permission: 'content.submit' },
      schema: {
        tags,
        summary: 'Submit for review (blocking proofreading findings need an editor’s override reason)',
        params: IdParams,
        body: Type.Object({ overrideReason: Type.Optional(Reason) }, { additionalProperties: false }),
        response: ok,
      },
    },
    async (request) => submitContent(ctx, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/:id/withdraw',
    {
      config: { permission: 'content.submit' },
      schema: { tags, summary: 'Take content back from review to draft', params: IdParams, response: ok },
    },
    async (request) => withdrawContent(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/:id/review',
    {
      config: { permission: 'content.review' },
      schema: {
        tags,
        summary: 'Approve or reject as a named backend reviewer of the organisation (one review step)',
        params: IdParams,
        body: ReviewBody,
        response: ok,
      },
    },
    async (request) => reviewContent(ctx, actorOf(request), request.params.id, request.body),
  );

  for (const [action, summary] of [
    ['schedule', 'Schedule approved or failed content at a time or as soon as possible (null)'],
    ['reschedule', 'Move scheduled content to another time'],
  ] as const) {
    app.post(
      `/:id/${action}`,
      {
        config: { permission: 'content.schedule' },
        schema: {
          tags,
          summary,
          params: IdParams,
          body: Type.Object({ publishAt: PublishAt }, { additionalProperties: false }),
          response: ok,
        },
      },
      async (request) => scheduleContent(ctx, actorOf(request), request.params.id, request.body, action),
    );
  }

  app.post(
    '/:id/cancel',
    {
      config: { permission: 'content.cancel' },
      schema: {
        tags,
        summary: 'Cancel (not once publishing has started)',
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: ok,
      },
    },
    async (request) => cancelContent(ctx, actorOf(request), request.params.id, request.body.reason),
  );
};

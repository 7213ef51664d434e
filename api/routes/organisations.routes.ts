import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { reviewSettings, setReviewSettings } from '../../core/content/content.review.js';
import type { IdentityContext } from '../../core/identity/identity.context.js';
import { createOrganisation, listOrganisations } from '../../core/identity/organisations.service.js';
import { actorOf } from '../plugins/auth.js';
import { authErrors, IdParams, Nullable, Uuid } from '../schemas/identity.schemas.js';

const Kind = Type.Union([Type.Literal('client'), Type.Literal('operator')]);
const Organisation = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  kind: Kind,
  disabledAt: Nullable(Type.String()),
});
const tags = ['organisations'];

export const organisationRoutes: FastifyPluginAsyncTypebox<IdentityContext> = async (app, ctx) => {
  app.get(
    '/',
    {
      config: { permission: 'organisations.read' },
      schema: {
        tags,
        summary: 'List organisations',
        response: { 200: Type.Object({ items: Type.Array(Organisation) }), ...authErrors },
      },
    },
    async () => ({ items: await listOrganisations(ctx.db) }),
  );

  app.post(
    '/',
    {
      config: { permission: 'organisations.manage' },
      schema: {
        tags,
        summary: 'Create a client organisation',
        body: Type.Object(
          {
            slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            kind: Type.Optional(Kind),
          },
          { additionalProperties: false },
        ),
        response: { 201: Organisation, ...authErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createOrganisation(ctx.db, actorOf(request), request.body);
    },
  );

  const ReviewSettings = Type.Object({
    reviewSteps: Type.Integer(),
    allowSelfApproval: Type.Boolean(),
    reviewers: Type.Array(
      Type.Object({ id: Type.String(), username: Type.String(), displayName: Type.String() }),
    ),
  });

  app.get(
    '/:id/review-settings',
    {
      config: { permission: 'organisations.read' },
      schema: {
        tags,
        summary: '三审三校: review steps, self-approval, named backend reviewers',
        params: IdParams,
        response: { 200: ReviewSettings, ...authErrors },
      },
    },
    async (request) => reviewSettings(ctx.db, request.params.id),
  );

  app.put(
    '/:id/review-settings',
    {
      config: { permission: 'organisations.manage' },
      schema: {
        tags,
        summary: 'Change review steps (1–3), self-approval and the named backend reviewers',
        params: IdParams,
        body: Type.Object(
          {
            reviewSteps: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
            allowSelfApproval: Type.Optional(Type.Boolean()),
            reviewerUserIds: Type.Optional(Type.Array(Uuid, { maxItems: 50, uniqueItems: true })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ReviewSettings, ...authErrors },
      },
    },
    async (request) => setReviewSettings(ctx.db, actorOf(request), request.params.id, request.body),
  );
};

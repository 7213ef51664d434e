import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { IdentityContext } from '../../core/identity/identity.context.js';
import { createOrganisation, listOrganisations } from '../../core/identity/organisations.service.js';
import { actorOf } from '../plugins/auth.js';
import { authErrors, Nullable } from '../schemas/identity.schemas.js';

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
};

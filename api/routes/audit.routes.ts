import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAudit } from '../../core/audit/audit.repository.js';
import type { IdentityContext } from '../../core/identity/identity.context.js';
import { authErrors, Nullable, Uuid } from '../schemas/identity.schemas.js';

const Outcome = Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]);

const AuditRecord = Type.Object({
  id: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  actorKind: Type.String(),
  actorUserId: Nullable(Type.String()),
  actorUsername: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  organisationId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  outcome: Outcome,
  details: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String(),
});

export const auditRoutes: FastifyPluginAsyncTypebox<IdentityContext> = async (app, ctx) => {
  app.get(
    '/',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first, with filters and cursor paging (auditor only)',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            action: Type.Optional(
              Type.String({
                pattern: '^[a-z0-9_.]+(\\.\\*)?$',
                maxLength: 100,
                description: 'exact, or a prefix ending in .* (auth.*)',
              }),
            ),
            actorUserId: Type.Optional(Uuid),
            targetType: Type.Optional(Type.String({ maxLength: 50 })),
            targetId: Type.Optional(Type.String({ maxLength: 100 })),
            outcome: Type.Optional(Outcome),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            before: Type.Optional(
              Type.String({
                pattern: '^[0-9]{1,19}$',
                description: 'cursor: nextCursor of the previous page',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(AuditRecord), nextCursor: Nullable(Type.String()) }),
          ...authErrors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listAudit(ctx.db, {
        ...q,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      });
      return {
        nextCursor: page.nextCursor,
        items: page.items.map((r) => ({ ...r, occurredAt: r.occurredAt.toISOString() })),
      };
    },
  );
};

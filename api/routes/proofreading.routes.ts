import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../core/db/database.js';
import { checkFields } from '../../core/proofreading/proofreader.js';
import {
  createProofEntry,
  deleteProofEntry,
  listProofEntries,
  proofreaderFor,
  updateProofEntry,
} from '../../core/proofreading/proofreading.service.js';
import { actorOf } from '../plugins/auth.js';
import { authErrors, IdParams, Nullable, Uuid } from '../schemas/identity.schemas.js';

const lit = <T extends string>(...values: T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Severity = lit('block', 'warn');
const Category = lit('typo', 'sensitive', 'formulation');
const Pattern = Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' });
const Fields = {
  suggestion: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  severity: Severity,
  category: Category,
  exceptions: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      maxItems: 50,
      description: 'longer correct phrases that contain the pattern (no finding inside them)',
    }),
  ),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
};
const Entry = Type.Object({
  id: Type.String(),
  organisationId: Nullable(Type.String()),
  pattern: Type.String(),
  suggestion: Nullable(Type.String()),
  severity: Severity,
  category: Category,
  exceptions: Type.Array(Type.String()),
  note: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const tags = ['proofreading'];

/** 校对 lists: shared ones (organisationId null) and each organisation's own, editable by editors. */
export const proofreadingRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, ctx) => {
  app.get(
    '/entries',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'Proofreading entries: shared, or of one organisation',
        querystring: Type.Object(
          { organisationId: Type.Optional(Uuid), shared: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Entry) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listProofEntries(ctx.db, request.query) }),
  );

  app.post(
    '/entries',
    {
      config: { permission: 'dictionaries.manage' },
      schema: {
        tags,
        summary: 'Add an entry (a typo, a sensitive expression or a standard formulation)',
        body: Type.Object(
          { organisationId: Type.Optional(Nullable(Uuid)), pattern: Pattern, ...Fields },
          { additionalProperties: false },
        ),
        response: { 201: Entry, ...authErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createProofEntry(ctx.db, actorOf(request), request.body);
    },
  );

  app.patch(
    '/entries/:id',
    {
      config: { permission: 'dictionaries.manage' },
      schema: {
        tags,
        summary: 'Change an entry',
        params: IdParams,
        body: Type.Object(
          {
            pattern: Type.Optional(Pattern),
            suggestion: Fields.suggestion,
            severity: Type.Optional(Severity),
            category: Type.Optional(Category),
            exceptions: Fields.exceptions,
            note: Fields.note,
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Entry, ...authErrors },
      },
    },
    async (request) => updateProofEntry(ctx.db, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/entries/:id',
    {
      config: { permission: 'dictionaries.manage' },
      schema: {
        tags,
        summary: 'Remove an entry',
        params: IdParams,
        response: { 204: Type.Null(), ...authErrors },
      },
    },
    async (request, reply) => {
      await deleteProofEntry(ctx.db, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/check',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: "Proofread text with an organisation's lists (what saving does, without saving)",
        body: Type.Object(
          { organisationId: Uuid, text: Type.String({ minLength: 1, maxLength: 100_000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ findings: Type.Array(Type.Unknown()) }), ...authErrors },
      },
    },
    async (request) => {
      const proofreader = await proofreaderFor(ctx.db, request.body.organisationId);
      return { findings: checkFields(proofreader, { text: request.body.text }) };
    },
  );
};

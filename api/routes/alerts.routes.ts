import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  type AlertsContext,
  createChannel,
  deleteChannel,
  listAlerts,
  listChannels,
  testChannel,
  updateChannel,
} from '../../core/alerts/alerts.service.js';
import { actorOf } from '../plugins/auth.js';
import { authErrors, IdParams, Nullable, Uuid } from '../schemas/identity.schemas.js';

const Secret = Type.String({ minLength: 1, maxLength: 200 });
const Url = Type.String({ minLength: 8, maxLength: 1000, pattern: '^https?://' });
/** Write-only: the URL with its key and the secrets are stored encrypted and never returned. */
const Config = Type.Union([
  Type.Object({ type: Type.Literal('wecom'), webhookUrl: Url }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('dingtalk'), webhookUrl: Url, secret: Secret },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('webhook'), url: Url, secret: Nullable(Secret) },
    { additionalProperties: false },
  ),
]);
const Channel = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  type: Type.Enum(['wecom', 'dingtalk', 'webhook']),
  name: Type.String(),
  target: Type.String({ description: 'the URL with its query string masked' }),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const Name = Type.String({ minLength: 1, maxLength: 100 });
const tags = ['alerts'];

export const alertRoutes: FastifyPluginAsyncTypebox<AlertsContext> = async (app, ctx) => {
  app.get(
    '/channels',
    {
      config: { permission: 'alerts.read' },
      schema: {
        tags,
        summary: 'Alert channels (WeCom group robot, DingTalk robot, JSON webhook)',
        querystring: Type.Object({ organisationId: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Channel) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listChannels(ctx.db, request.query.organisationId) }),
  );

  app.post(
    '/channels',
    {
      config: { permission: 'alerts.manage' },
      schema: {
        tags,
        summary: 'Add a channel to an organisation',
        body: Type.Object(
          { organisationId: Uuid, name: Name, config: Config },
          { additionalProperties: false },
        ),
        response: { 201: Channel, ...authErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createChannel(ctx, actorOf(request), request.body);
    },
  );

  app.patch(
    '/channels/:id',
    {
      config: { permission: 'alerts.manage' },
      schema: {
        tags,
        summary: 'Rename, enable or disable a channel, or replace its settings',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            enabled: Type.Optional(Type.Boolean()),
            config: Type.Optional(Config),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Channel, ...authErrors },
      },
    },
    async (request) => updateChannel(ctx, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/channels/:id',
    {
      config: { permission: 'alerts.manage' },
      schema: {
        tags,
        summary: 'Remove a channel',
        params: IdParams,
        response: { 204: Type.Null(), ...authErrors },
      },
    },
    async (request, reply) => {
      await deleteChannel(ctx, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/channels/:id/test',
    {
      config: { permission: 'alerts.manage' },
      schema: {
        tags,
        summary: 'Send a test message now and report how it went',
        params: IdParams,
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            retryable: Type.Optional(Type.Boolean()),
            reason: Type.Optional(Type.String()),
          }),
          ...authErrors,
        },
      },
    },
    async (request) => testChannel(ctx, actorOf(request), request.params.id),
  );

  app.get(
    '/',
    {
      config: { permission: 'alerts.read' },
      schema: {
        tags,
        summary: 'Recent alerts of an organisation, with each channel delivery',
        querystring: Type.Object(
          { organisationId: Uuid, limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Type.Unknown()) }), ...authErrors },
      },
    },
    async (request) => ({
      items: await listAlerts(ctx.db, request.query.organisationId, request.query.limit),
    }),
  );
};

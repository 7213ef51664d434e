import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  type AccountsContext,
  createAccount,
  enableAccount,
  getAccount,
  listAccounts,
  setAccountStatus,
  setCredentials,
  updateAccount,
  verifyAccount,
} from '../../core/accounts/accounts.service.js';
import { actorOf } from '../plugins/auth.js';
import { authErrors, IdParams, Nullable, Uuid } from '../schemas/identity.schemas.js';

const lit = <T extends string>(...values: T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Platform = lit('wechat', 'weibo');
const WechatKind = lit('subscription', 'service');
const PublishMode = lit('masssend', 'freepublish');
const Tier = lit('city_government', 'city_department', 'county_government', 'county_unit');
const Cadence = lit('daily', 'twice_weekly', 'weekly', 'monthly');
const Name = Type.String({ minLength: 1, maxLength: 100 });
/** Secrets are bounded and write-only: no route ever returns them. */
const Credentials = Type.Object(
  {
    app_secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 128, description: 'WeChat AppSecret' }),
    ),
    access_token: Type.Optional(
      Type.String({ minLength: 16, maxLength: 512, description: 'Weibo OAuth2 access token' }),
    ),
  },
  { additionalProperties: false },
);

const Account = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  platform: Platform,
  name: Type.String(),
  externalId: Type.String(),
  wechatKind: Nullable(WechatKind),
  verified: Type.Boolean(),
  publishMode: Nullable(PublishMode),
  dailyMasssendQuota: Type.Integer(),
  tier: Nullable(Tier),
  inspectionCadence: Nullable(Cadence),
  status: lit('active', 'needs_reauth', 'disabled'),
  statusReason: Nullable(Type.String()),
  sandbox: Type.Boolean({ description: 'true: a 沙箱 account served by the built-in emulator' }),
  credentials: Type.Array(Type.Object({ name: Type.String(), updatedAt: Type.String() })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Check = Type.Object({
  token: Type.Boolean(),
  ipWhitelist: Nullable(Type.Boolean()),
  publishing: Nullable(Type.Boolean()),
  analytics: Nullable(Type.Boolean()),
  problems: Type.Array(
    Type.Object({
      check: Type.String(),
      kind: Type.String({
        description:
          'auth, reauth, rate_limited, quota_exhausted, invalid_content, not_permitted, transient or unknown_outcome',
      }),
      editorMessage: Type.String(),
      code: Type.Optional(Type.Union([Type.Number(), Type.String()])),
    }),
  ),
});

const tags = ['accounts'];

export const accountRoutes: FastifyPluginAsyncTypebox<AccountsContext> = async (app, ctx) => {
  app.get(
    '/',
    {
      config: { permission: 'accounts.read' },
      schema: {
        tags,
        summary: 'List accounts (credentials by name only)',
        querystring: Type.Object(
          { organisationId: Type.Optional(Uuid), platform: Type.Optional(Platform) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Account) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listAccounts(ctx.db, request.query) }),
  );

  app.get(
    '/:id',
    {
      config: { permission: 'accounts.read' },
      schema: { tags, summary: 'One account', params: IdParams, response: { 200: Account, ...authErrors } },
    },
    async (request) => getAccount(ctx.db, request.params.id),
  );

  app.post(
    '/',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Register an account of an organisation',
        body: Type.Object(
          {
            organisationId: Uuid,
            platform: Platform,
            name: Name,
            externalId: Type.String({
              pattern: '^[A-Za-z0-9_-]{1,64}$',
              description: 'AppID (wx…) or Weibo uid',
            }),
            wechatKind: Type.Optional(WechatKind),
            verified: Type.Optional(Type.Boolean()),
            publishMode: Type.Optional(PublishMode),
            dailyMasssendQuota: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
            tier: Type.Optional(Nullable(Tier)),
            inspectionCadence: Type.Optional(Nullable(Cadence)),
            credentials: Type.Optional(Credentials),
          },
          { additionalProperties: false },
        ),
        response: { 201: Account, ...authErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createAccount(ctx, actorOf(request), request.body as never);
    },
  );

  app.patch(
    '/:id',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Change an account',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            wechatKind: Type.Optional(WechatKind),
            verified: Type.Optional(Type.Boolean()),
            publishMode: Type.Optional(PublishMode),
            dailyMasssendQuota: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
            tier: Type.Optional(Nullable(Tier)),
            inspectionCadence: Type.Optional(Nullable(Cadence)),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Account, ...authErrors },
      },
    },
    async (request) => updateAccount(ctx, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/:id/disable',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Disable an account (nothing is published to it)',
        params: IdParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: Account, ...authErrors },
      },
    },
    async (request) =>
      setAccountStatus(ctx.db, actorOf(request), request.params.id, 'disabled', request.body.reason),
  );

  app.post(
    '/:id/enable',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Enable a disabled account again (publishing to it resumes; verify its credentials)',
        params: IdParams,
        response: { 200: Account, ...authErrors },
      },
    },
    async (request) => enableAccount(ctx.db, actorOf(request), request.params.id),
  );

  app.put(
    '/:id/credentials',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Replace credentials (write-only; encrypted at rest; audited)',
        params: IdParams,
        body: Type.Intersect([Credentials, Type.Object({}, { minProperties: 1 })]),
        response: { 200: Account, ...authErrors },
      },
    },
    async (request) =>
      setCredentials(ctx, actorOf(request), request.params.id, request.body as Record<string, string>),
  );

  app.post(
    '/:id/verify',
    {
      config: { permission: 'accounts.verify' },
      schema: {
        tags,
        summary:
          'Check the credentials against the platform: token, IP whitelist, publishing and analytics permission',
        params: IdParams,
        response: {
          200: Type.Object({ account: Account, check: Check }),
          ...authErrors,
          501: { $ref: 'ErrorResponse#' },
        },
      },
    },
    async (request) => verifyAccount(ctx, actorOf(request), request.params.id),
  );
};

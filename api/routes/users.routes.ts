import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { IdentityContext } from '../../core/identity/identity.context.js';
import {
  createUser,
  getUser,
  grantRole,
  handoverSuperadmin,
  listUsers,
  resetPassword,
  resetTwoFactor,
  revokeSessions,
  unlockUser,
  updateUser,
} from '../../core/identity/users.service.js';
import { actorOf } from '../plugins/auth.js';
import {
  authErrors,
  BackendRoleName,
  DisplayName,
  IdParams,
  Nullable,
  Otp,
  Password,
  RoleName,
  UserBody,
  Username,
  Uuid,
} from '../schemas/identity.schemas.js';

const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);
const tags = ['users'];

export const userRoutes: FastifyPluginAsyncTypebox<IdentityContext> = async (app, ctx) => {
  app.get(
    '/',
    {
      config: { permission: 'users.read' },
      schema: {
        tags,
        summary: 'List users',
        querystring: Type.Object(
          {
            role: Type.Optional(RoleName),
            status: Type.Optional(Status),
            search: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(UserBody) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listUsers(ctx, request.query) }),
  );

  app.get(
    '/:id',
    {
      config: { permission: 'users.read' },
      schema: { tags, summary: 'One user', params: IdParams, response: { 200: UserBody, ...authErrors } },
    },
    async (request) => getUser(ctx, request.params.id),
  );

  app.post(
    '/',
    {
      config: { permission: 'users.create' },
      schema: {
        tags,
        summary: 'Create a user; the response holds a one-time initial password to pass on securely',
        body: Type.Object(
          {
            username: Username,
            displayName: DisplayName,
            role: RoleName,
            organisationId: Type.Optional(Nullable(Uuid)),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ user: UserBody, initialPassword: Type.String() }), ...authErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createUser(ctx, actorOf(request), request.body);
    },
  );

  app.patch(
    '/:id',
    {
      config: { permission: 'users.update' },
      schema: {
        tags,
        summary: "Change display name or status (disabling ends the user's sessions)",
        params: IdParams,
        body: Type.Object(
          { displayName: Type.Optional(DisplayName), status: Type.Optional(Status) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserBody, ...authErrors },
      },
    },
    async (request) => updateUser(ctx, actorOf(request), request.params.id, request.body),
  );

  app.put(
    '/:id/role',
    {
      config: { permission: 'users.grant_role' },
      schema: {
        tags,
        summary: "Grant a role (security admin); the user's sessions end",
        params: IdParams,
        body: Type.Object(
          { role: RoleName, organisationId: Type.Optional(Nullable(Uuid)) },
          { additionalProperties: false },
        ),
        response: { 200: UserBody, ...authErrors },
      },
    },
    async (request) =>
      grantRole(
        ctx,
        actorOf(request),
        request.params.id,
        request.body.role,
        request.body.organisationId ?? null,
      ),
  );

  app.post(
    '/:id/unlock',
    {
      config: { permission: 'users.unlock' },
      schema: {
        tags,
        summary: 'Lift a login lock',
        params: IdParams,
        response: { 200: UserBody, ...authErrors },
      },
    },
    async (request) => unlockUser(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/:id/reset-2fa',
    {
      config: { permission: 'users.reset_2fa' },
      schema: {
        tags,
        summary: 'Remove two-factor enrolment (lost phone); the user enrols again at next sign-in',
        params: IdParams,
        response: { 200: UserBody, ...authErrors },
      },
    },
    async (request) => resetTwoFactor(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/:id/reset-password',
    {
      config: { permission: 'users.update' },
      schema: {
        tags,
        summary: 'Replace the password with a one-time password the user must change',
        params: IdParams,
        response: { 200: Type.Object({ initialPassword: Type.String() }), ...authErrors },
      },
    },
    async (request) => resetPassword(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/:id/revoke-sessions',
    {
      config: { permission: 'users.revoke_sessions' },
      schema: {
        tags,
        summary: 'End every session of a user',
        params: IdParams,
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...authErrors },
      },
    },
    async (request) => revokeSessions(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/superadmin-handover',
    {
      config: { permission: 'users.handover_superadmin' },
      schema: {
        tags,
        summary: "Hand the superadmin role to another user (needs the holder's password and one-time code)",
        body: Type.Object(
          {
            toUserId: Uuid,
            password: Password,
            otp: Otp,
            formerRole: Type.Union([
              ...BackendRoleName.anyOf.filter((r) => r.const !== 'superadmin'),
              Type.Literal('disabled'),
            ]),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ superadmin: UserBody, former: UserBody }), ...authErrors },
      },
    },
    async (request) => handoverSuperadmin(ctx, actorOf(request), request.body as never),
  );
};

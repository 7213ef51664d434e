import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { changePassword, confirmTotp, enrolTotp, logout } from '../../core/identity/account.service.js';
import type { IdentityContext } from '../../core/identity/identity.context.js';
import type { Surface } from '../../core/identity/identity.table.js';
import { login } from '../../core/identity/login.service.js';
import { ROLE_PERMISSIONS } from '../../core/identity/permissions.js';
import { csrfTokenFor, type ResolvedSession } from '../../core/identity/session.service.js';
import { clearSessionCookie, originOf, requireSession, setSessionCookie } from '../plugins/auth.js';
import {
  authErrors,
  OkBody,
  Otp,
  Password,
  SessionBody,
  Stage,
  Username,
} from '../schemas/identity.schemas.js';

const LoginBody = Type.Object(
  { username: Username, password: Password, otp: Type.Optional(Otp) },
  { additionalProperties: false },
);
const PasswordChange = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);

function sessionBody(ctx: IdentityContext, s: ResolvedSession, id: string) {
  return {
    user: {
      id: s.user.id,
      username: s.user.username,
      displayName: s.user.displayName,
      role: s.user.role,
      organisationId: s.user.organisationId,
    },
    stage: s.effectiveStage,
    expiresAt: s.expiresAt.toISOString(),
    csrfToken: csrfTokenFor(ctx.keyring, id),
    permissions: [...ROLE_PERMISSIONS[s.user.role]],
  };
}

const Rotated = Type.Object({ stage: Stage, csrfToken: Type.String() });

/**
 * Sign-in routes of one surface: `/api/auth/*` for staff, `/portal/api/auth/*` for clients. The two
 * share the code but never a session (separate cookies, and sessions are bound to their surface).
 */
export function authRoutes(surface: Surface): FastifyPluginAsyncTypebox<IdentityContext> {
  const self = surface === 'backend' ? 'auth.self' : 'portal.self';
  const tags = [surface === 'backend' ? 'auth' : 'portal'];
  return async (app, ctx) => {
    app.post(
      '/login',
      {
        config: { permission: 'public' },
        schema: {
          tags,
          summary: 'Sign in with username, password and (when enrolled) a one-time code',
          body: LoginBody,
          response: { 200: Type.Omit(SessionBody, ['permissions']), ...authErrors },
        },
      },
      async (request, reply) => {
        const r = await login(ctx, { surface, ...request.body }, originOf(request));
        setSessionCookie(reply, ctx, surface, r);
        return {
          user: r.user,
          stage: r.stage,
          expiresAt: r.expiresAt.toISOString(),
          csrfToken: csrfTokenFor(ctx.keyring, r.sessionId),
        };
      },
    );

    app.get(
      '/session',
      {
        config: { permission: self, setup: true },
        schema: {
          tags,
          summary: 'The current session, its stage and CSRF token',
          response: { 200: SessionBody, ...authErrors },
        },
      },
      async (request) => sessionBody(ctx, requireSession(request), request.sessionId as string),
    );

    app.post(
      '/logout',
      {
        config: { permission: self, setup: true },
        schema: { tags, summary: 'End this session', response: { 200: OkBody, ...authErrors } },
      },
      async (request, reply) => {
        await logout(ctx, requireSession(request), originOf(request));
        clearSessionCookie(reply, ctx, surface);
        return { ok: true as const };
      },
    );

    app.post(
      '/password',
      {
        config: { permission: self, setup: true },
        schema: {
          tags,
          summary: "Change one's own password (other sessions end; this one gets a new id)",
          body: PasswordChange,
          response: { 200: Rotated, ...authErrors },
        },
      },
      async (request, reply) => {
        const r = await changePassword(ctx, requireSession(request), request.body, originOf(request));
        setSessionCookie(reply, ctx, surface, r);
        return { stage: r.stage, csrfToken: csrfTokenFor(ctx.keyring, r.sessionId) };
      },
    );

    if (surface !== 'backend') return;

    app.post(
      '/2fa/enrol',
      {
        config: { permission: 'auth.self', setup: true },
        schema: {
          tags,
          summary: 'Start two-factor enrolment: a new TOTP secret as otpauth URI and QR code',
          response: {
            200: Type.Object({ secret: Type.String(), otpauthUri: Type.String(), qrDataUrl: Type.String() }),
            ...authErrors,
          },
        },
      },
      async (request) => enrolTotp(ctx, requireSession(request), originOf(request)),
    );

    app.post(
      '/2fa/confirm',
      {
        config: { permission: 'auth.self', setup: true },
        schema: {
          tags,
          summary: 'Finish enrolment with a code from the app; returns 10 single-use recovery codes once',
          body: Type.Object({ otp: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              stage: Stage,
              csrfToken: Type.String(),
              recoveryCodes: Type.Array(Type.String()),
            }),
            ...authErrors,
          },
        },
      },
      async (request, reply) => {
        const r = await confirmTotp(ctx, requireSession(request), request.body.otp, originOf(request));
        setSessionCookie(reply, ctx, surface, r);
        return {
          stage: r.stage,
          csrfToken: csrfTokenFor(ctx.keyring, r.sessionId),
          recoveryCodes: r.recoveryCodes,
        };
      },
    );
  };
}

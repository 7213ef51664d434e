import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../../core/audit/audit.repository.js';
import { AppError } from '../../core/errors.js';
import {
  type IdentityContext,
  type RequestOrigin,
  sessionPolicy,
} from '../../core/identity/identity.context.js';
import type { Surface } from '../../core/identity/identity.table.js';
import { IpAllowList } from '../../core/identity/ip-allowlist.js';
import {
  can,
  PERMISSIONS,
  type Permission,
  PLUGIN_ROUTE_PERMISSIONS,
  PUBLIC_ROUTE_PREFIXES,
  ROLE_PERMISSIONS,
  type RoutePermission,
  surfaceOf,
  surfaceOfUrl,
} from '../../core/identity/permissions.js';
import {
  csrfTokenMatches,
  type ResolvedSession,
  resolveSession,
} from '../../core/identity/session.service.js';
import type { Actor } from '../../core/identity/users.service.js';
import type { App } from '../app.js';
import { sendAppError } from './error-handler.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route needs, or `public`. Every route declares one (checked at start-up). */
    permission?: RoutePermission;
    /** Reachable by a session that must first change its password or enrol two-factor. */
    setup?: boolean;
  }
  interface FastifyRequest {
    session: ResolvedSession | null;
    /** The raw session id from the cookie (only for rotating it; never logged). */
    sessionId: string | null;
  }
}

export const SESSION_COOKIES: Readonly<Record<Surface, { name: string; path: string }>> = {
  backend: { name: 'yy_sid', path: '/' },
  portal: { name: 'yy_portal_sid', path: '/portal' },
};
export const CSRF_HEADER = 'x-csrf-token';

export interface RouteEntry {
  method: string;
  url: string;
  permission: RoutePermission;
  surface: Surface | 'public';
  setup: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function originOf(request: FastifyRequest): RequestOrigin {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof ua === 'string' ? ua : null, requestId: request.id };
}

export function setSessionCookie(
  reply: FastifyReply,
  ctx: IdentityContext,
  surface: Surface,
  session: { sessionId: string; expiresAt: Date },
): void {
  const { name, path } = SESSION_COOKIES[surface];
  reply.setCookie(name, session.sessionId, {
    path,
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.config.auth.cookieSecure,
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, ctx: IdentityContext, surface: Surface): void {
  const { name, path } = SESSION_COOKIES[surface];
  reply.clearCookie(name, { path, httpOnly: true, sameSite: 'strict', secure: ctx.config.auth.cookieSecure });
}

/** The signed-in user as the actor of a core operation. */
export function actorOf(request: FastifyRequest): Actor {
  const s = requireSession(request);
  return { userId: s.userId, role: s.user.role, origin: originOf(request) };
}

/** The organisation of a signed-in portal user: a portal route serves that organisation only. */
export function portalOrganisationOf(request: FastifyRequest): string {
  const org = requireSession(request).user.organisationId;
  if (!org) throw new AppError('FORBIDDEN', 'This account belongs to no organisation', 403);
  return org;
}

/** The signed-in session of a route that declared a permission (the auth hook guarantees it). */
export function requireSession(request: FastifyRequest): ResolvedSession {
  if (!request.session) throw new AppError('UNAUTHENTICATED', 'Sign in first', 401);
  return request.session;
}

/**
 * Authentication and authorisation for every request, in one `onRequest` hook (before the body is
 * parsed, so an anonymous caller learns nothing from validation errors):
 *  1. backend URLs (/api, /admin) only from ADMIN_IP_ALLOWLIST — refusals are audited;
 *  2. routes that are not `public` need a live session of their own surface, at the `full` stage
 *     unless the route is part of the first-login setup, and a role holding the permission;
 *  3. state-changing requests carry the session's CSRF token in `X-CSRF-Token`.
 * Start-up fails when a route declares no permission, or one its surface's roles never hold.
 */
export async function registerAuth(app: App, ctx: IdentityContext): Promise<RouteEntry[]> {
  const allowList = new IpAllowList(ctx.config.adminIpAllowlist);
  const routes: RouteEntry[] = [];
  await app.register(cookie);
  app.decorateRequest('session', null);
  app.decorateRequest('sessionId', null);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const url = route.url;
    if (PUBLIC_ROUTE_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`))) return;
    const byPrefix = Object.entries(PLUGIN_ROUTE_PERMISSIONS).find(
      ([p]) => url === p || url.startsWith(`${p}/`),
    );
    if (byPrefix && !route.config?.permission) route.config = { ...route.config, permission: byPrefix[1] };
    const permission = route.config?.permission;
    if (!permission)
      throw new Error(`Route ${methods.join(',')} ${url} declares no permission (config.permission)`);
    const surface = surfaceOfUrl(url);
    if (permission !== 'public') {
      if (!(PERMISSIONS as readonly string[]).includes(permission))
        throw new Error(`Route ${url} declares the unknown permission "${permission}"`);
      const holders = Object.entries(ROLE_PERMISSIONS)
        .filter(([, perms]) => perms.includes(permission as Permission))
        .map(([role]) => surfaceOf(role as never));
      if (surface === 'public' || !holders.includes(surface))
        throw new Error(`Route ${url} (${surface}) declares "${permission}", which no ${surface} role holds`);
    }
    for (const method of methods)
      if (method !== 'HEAD')
        routes.push({ method, url, permission, surface, setup: route.config?.setup === true });
  });

  const deny = async (
    request: FastifyRequest,
    code: string,
    message: string,
    status: number,
    session?: ResolvedSession,
  ): Promise<never> => {
    await recordAudit(ctx.db, {
      action: code === 'IP_NOT_ALLOWED' ? 'security.ip_refused' : 'security.access_denied',
      actorKind: session ? (session.surface === 'portal' ? 'portal_user' : 'user') : 'anonymous',
      actorUserId: session?.userId ?? null,
      actorRole: session?.user.role ?? null,
      ip: request.ip ?? null,
      requestId: request.id,
      outcome: 'denied',
      details: { code, method: request.method, path: request.url.split('?')[0]?.slice(0, 300) },
    });
    throw new AppError(code, message, status);
  };

  // Refusals are answered here, not thrown: a plugin with its own error handler (the queue board)
  // would otherwise turn them into its own 500 page.
  app.addHook('onRequest', async (request, reply) => {
    try {
      await authorise(request);
    } catch (err) {
      if (err instanceof AppError) return sendAppError(reply, request, err);
      throw err;
    }
  });

  async function authorise(request: FastifyRequest): Promise<void> {
    const surface = surfaceOfUrl(request.url);
    if (surface === 'backend' && !allowList.allows(request.ip))
      return deny(request, 'IP_NOT_ALLOWED', 'The backend is not reachable from this network', 403);
    const permission = request.routeOptions.config?.permission;
    if (!permission || permission === 'public' || surface === 'public') return;

    const cookieName = SESSION_COOKIES[surface].name;
    const id = request.cookies[cookieName];
    if (!id) {
      const other = SESSION_COOKIES[surface === 'backend' ? 'portal' : 'backend'].name;
      if (surface === 'portal' && request.cookies[other])
        throw new AppError('WRONG_SURFACE', 'A backend session cannot use the client portal', 403);
      throw new AppError('UNAUTHENTICATED', 'Sign in first', 401);
    }
    const session = await resolveSession(ctx.db, id, sessionPolicy(ctx.config));
    if (!session) throw new AppError('UNAUTHENTICATED', 'The session has ended; sign in again', 401);
    if (session.surface !== surface)
      return deny(request, 'WRONG_SURFACE', 'This session belongs to the other surface', 403, session);
    if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(ctx.keyring, id, request.headers[CSRF_HEADER]))
      throw new AppError('CSRF_TOKEN_INVALID', `Missing or wrong ${CSRF_HEADER} header`, 403);
    if (session.effectiveStage !== 'full' && request.routeOptions.config?.setup !== true)
      throw new AppError(
        session.effectiveStage === 'password_change' ? 'PASSWORD_CHANGE_REQUIRED' : 'TOTP_ENROLMENT_REQUIRED',
        session.effectiveStage === 'password_change'
          ? 'Change your password before doing anything else'
          : 'Set up two-factor sign-in before doing anything else',
        403,
      );
    if (!can(session.user.role, permission))
      return deny(request, 'FORBIDDEN', 'Your role does not allow this', 403, session);
    request.session = session;
    request.sessionId = id;
  }
  return routes;
}

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../api/plugins/auth.js';
import type { Role } from '../../core/identity/identity.table.js';
import { can, type Permission, ROLES, surfaceOf } from '../../core/identity/permissions.js';
import { createQueues } from '../../workers/queues.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
} from '../helpers/identity.js';
import { silentLogger } from '../helpers/services.js';

const DENIED = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'WRONG_SURFACE']);

type Principal =
  | { kind: 'anonymous' }
  | { kind: 'role'; role: Role; session: SignedIn }
  /** A session of one surface presented under the other surface's cookie name. */
  | { kind: 'swapped'; role: Role; session: SignedIn };

function concreteUrl(url: string): string {
  return url.replace(/:id\b/g, randomUUID());
}

function cookieHeaders(p: Principal, route: RouteEntry): Record<string, string> {
  if (p.kind === 'anonymous') return {};
  const value = p.session.cookie.split('=')[1] as string;
  let name = p.session.cookie.split('=')[0] as string;
  if (p.kind === 'swapped') name = name === 'yy_sid' ? 'yy_portal_sid' : 'yy_sid';
  void route;
  return { cookie: `${name}=${value}`, 'x-csrf-token': p.session.csrfToken };
}

function expectedAllowed(p: Principal, route: RouteEntry): boolean {
  if (route.permission === 'public' || route.surface === 'public') return true;
  if (p.kind !== 'role') return false;
  return surfaceOf(p.role) === route.surface && can(p.role, route.permission as Permission);
}

describe('access matrix: every route × every role, anonymous and wrong-surface sessions', () => {
  let h: IdentityHarness;
  const principals: Principal[] = [{ kind: 'anonymous' }];

  beforeAll(async () => {
    // Two-factor is tested elsewhere; here every role signs in straight to a full session.
    // With the queues, so /metrics and the queue board (/admin/queues) are in the matrix too.
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none' }, ({ redis, prefix }) => ({
      queues: createQueues(redis, prefix, silentLogger),
    }));
    for (const role of ROLES) {
      const user = await createTestUser(h, role);
      principals.push({ kind: 'role', role, session: await signIn(h.app, user) });
      principals.push({ kind: 'swapped', role, session: await signIn(h.app, user) });
    }
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('declares a permission on every route, and has routes on both surfaces', () => {
    const surfaces = new Set(h.app.routeTable.map((r) => r.surface));
    expect(surfaces).toEqual(new Set(['backend', 'portal', 'public']));
    expect(h.app.routeTable.length).toBeGreaterThan(20);
  });

  it('allows exactly the roles the matrix grants and denies everyone else', async () => {
    // Routes that end the caller's session run last, so they do not disturb the other checks.
    const routes = [...h.app.routeTable].sort(
      (a, b) => Number(a.url.endsWith('/logout')) - Number(b.url.endsWith('/logout')),
    );
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of routes) {
      if (route.url.includes('*')) continue;
      for (const p of principals) {
        const res = await h.app.inject({
          method: route.method as 'GET',
          url: concreteUrl(route.url),
          headers: cookieHeaders(p, route),
          ...(route.method === 'GET' ? {} : { payload: {} }),
        });
        const code = res.headers['content-type']?.toString().includes('json')
          ? res.json()?.error?.code
          : undefined;
        const denied = (res.statusCode === 401 || res.statusCode === 403) && DENIED.has(code);
        const allowed = expectedAllowed(p, route);
        checked++;
        if (allowed === denied) {
          const who = p.kind === 'anonymous' ? 'anonymous' : `${p.kind}:${p.role}`;
          mismatches.push(
            `${route.method} ${route.url} as ${who}: expected ${allowed ? 'allow' : 'deny'}, got ${res.statusCode} ${code}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  }, 120_000);

  it('refuses to start when a route declares no permission', async () => {
    const { buildApp } = await import('../../api/app.js');
    const app = await buildApp({
      config: h.config,
      logger: h.app.log as never,
      db: h.db,
      redis: h.redis,
      keyring: h.keyring,
    });
    expect(() => app.get('/api/undeclared', async () => 'x')).toThrow(/declares no permission/);
    expect(() => app.get('/portal/api/x', { config: { permission: 'users.read' } }, async () => 'x')).toThrow(
      /no portal role holds/,
    );
    await app.close();
  });
});

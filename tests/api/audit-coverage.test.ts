import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../core/audit/audit-chain.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  signIn,
  totpCode,
} from '../helpers/identity.js';

describe('every audited action leaves an audit row; the log cannot be changed', () => {
  let h: IdentityHarness;
  beforeAll(async () => {
    h = await identityHarness({
      TOTP_REQUIRED_ROLES: 'superadmin,security_admin,auditor,editor,planner',
      LOGIN_MAX_FAILURES: '2',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('records sign-in, lockout, password, two-factor, user, role, session and allow-list events', async () => {
    const admin = await createTestUser(h, 'superadmin', { totp: true });
    const sec = await createTestUser(h, 'security_admin', { totp: true });
    const auditor = await createTestUser(h, 'auditor', { totp: true });
    const a = await signIn(h.app, admin);
    const s = await signIn(h.app, sec);
    const inject = (method: string, url: string, headers: Record<string, string>, payload?: object) =>
      h.app.inject({ method: method as 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });

    const created = await inject('POST', '/api/users', a.headers, {
      username: 'audit.me',
      displayName: '被审计',
      role: 'editor',
    });
    const { user, initialPassword } = created.json();
    await inject('POST', '/api/organisations', a.headers, { slug: 'city-gov', name: '市政府' });
    await inject('POST', '/api/auth/login', {}, { username: 'audit.me', password: 'Wrong-Password-1!' });
    await inject('POST', '/api/auth/login', {}, { username: 'audit.me', password: 'Wrong-Password-2!' });
    await inject('POST', `/api/users/${user.id}/unlock`, s.headers);
    const e = await signIn(h.app, {
      username: 'audit.me',
      password: initialPassword,
      role: 'editor',
      totpSecret: null,
    });
    const newPassword = 'Xq9#unique-Pass-77';
    const changed = await inject('POST', '/api/auth/password', e.headers, {
      currentPassword: initialPassword,
      newPassword,
    });
    const cookie = changed.headers['set-cookie']
      ? (String(changed.headers['set-cookie']).split(';')[0] as string)
      : '';
    const eh = { cookie, 'x-csrf-token': changed.json().csrfToken };
    const enrol = await inject('POST', '/api/auth/2fa/enrol', eh);
    const confirmed = await inject('POST', '/api/auth/2fa/confirm', eh, {
      otp: totpCode(enrol.json().secret),
    });
    expect(confirmed.statusCode).toBe(200);
    await inject('PUT', `/api/users/${user.id}/role`, s.headers, { role: 'planner' });
    await inject('POST', `/api/users/${user.id}/revoke-sessions`, s.headers);
    await inject('PATCH', `/api/users/${user.id}`, a.headers, { displayName: '已改名' });
    await inject('POST', `/api/users/${user.id}/reset-password`, a.headers);
    await inject('GET', '/api/audit', s.headers);
    await h.app.inject({ url: '/api/users', remoteAddress: '192.0.2.1' });
    await inject('POST', '/api/auth/logout', a.headers);

    const rows = await h.db.selectFrom('audit_log').select(['action', 'outcome']).execute();
    const seen = new Set(rows.map((r) => `${r.action}:${r.outcome}`));
    for (const expected of [
      'user.created:success',
      'organisation.created:success',
      'auth.login:failure',
      'auth.lockout:success',
      'user.unlocked:success',
      'auth.login:success',
      'auth.password_change:success',
      'auth.2fa_enrol_started:success',
      'auth.2fa_enabled:success',
      'user.role_changed:success',
      'user.sessions_revoked:success',
      'user.updated:success',
      'user.password_reset:success',
      'security.access_denied:denied',
      'security.ip_refused:denied',
      'auth.logout:success',
    ])
      expect(seen, expected).toContain(expected);

    // Who, as what, from where, and the outcome, on every row written for a signed-in actor.
    const roleChange = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.role_changed')
      .executeTakeFirstOrThrow();
    expect(roleChange).toMatchObject({
      actor_user_id: sec.id,
      actor_role: 'security_admin',
      target_id: user.id,
      ip: '127.0.0.1',
      outcome: 'success',
    });
    expect(roleChange.details).toMatchObject({ from: 'editor', to: 'planner' });

    // The auditor reads it through the API, filtered and paged.
    const au = await signIn(h.app, auditor);
    const page1 = await h.app.inject({
      url: '/api/audit?action=auth.*&limit=2',
      headers: { cookie: au.cookie },
    });
    expect(page1.statusCode).toBe(200);
    expect(page1.json().items).toHaveLength(2);
    expect(page1.json().items.every((r: { action: string }) => r.action.startsWith('auth.'))).toBe(true);
    const page2 = await h.app.inject({
      url: `/api/audit?action=auth.*&limit=2&before=${page1.json().nextCursor}`,
      headers: { cookie: au.cookie },
    });
    expect(Number(page2.json().items[0].id)).toBeLessThan(Number(page1.json().items[1].id));

    expect(await verifyAuditChain(h.db)).toMatchObject({ ok: true });
  });

  it('refuses UPDATE and DELETE on the audit log', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(h.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(h.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(h.db)).rejects.toThrow(/append-only/);
  });
});

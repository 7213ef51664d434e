import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ageSessions,
  cookieFrom,
  createTestUser,
  goodPassword,
  type IdentityHarness,
  identityHarness,
  signIn,
  totpCode,
} from '../helpers/identity.js';

async function auditActions(h: IdentityHarness, userId: string): Promise<string[]> {
  const rows = await h.db
    .selectFrom('audit_log')
    .select(['action', 'outcome'])
    .where((eb) => eb.or([eb('target_id', '=', userId), eb('actor_user_id', '=', userId)]))
    .orderBy('id')
    .execute();
  return rows.map((r) => `${r.action}:${r.outcome}`);
}

describe('sign-in, sessions and their protections', () => {
  let h: IdentityHarness;
  beforeAll(async () => {
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none', LOGIN_IP_MAX_FAILURES: '1000' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const login = (username: string, password: string, extra: Record<string, unknown> = {}) =>
    h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, ...extra } });

  it('sets an HttpOnly SameSite=Strict session cookie and stores only its hash', async () => {
    const u = await createTestUser(h, 'editor');
    const res = await login(u.username, u.password);
    expect(res.statusCode).toBe(200);
    const raw = String(res.headers['set-cookie']);
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/SameSite=Strict/);
    expect(raw).not.toMatch(/Secure/);
    const id = cookieFrom(res.headers['set-cookie'], 'yy_sid').split('=')[1] as string;
    const stored = await h.db.selectFrom('sessions').select('id_hash').where('user_id', '=', u.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.id_hash).not.toBe(id);
    expect(stored[0]?.id_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    const u = await createTestUser(h, 'editor');
    const wrong = await login(u.username, 'Wrong-Password-123');
    const unknown = await login('nobody-here', 'Wrong-Password-123');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('locks after 5 consecutive failures with 423 and the unlock time, even for the right password', async () => {
    const u = await createTestUser(h, 'planner');
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await login(u.username, `Wrong-Password-${i}!`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 423]);
    const locked = await login(u.username, u.password);
    expect(locked.statusCode).toBe(423);
    const unlockAt = new Date(locked.json().error.details.unlockAt).getTime();
    expect(unlockAt - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(unlockAt - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(await auditActions(h, u.id)).toEqual(
      expect.arrayContaining(['auth.lockout:success', 'auth.login:denied']),
    );
  });

  it('a success resets the consecutive-failure count', async () => {
    const u = await createTestUser(h, 'editor');
    for (let i = 0; i < 4; i++) await login(u.username, 'Wrong-Password-1!');
    expect((await login(u.username, u.password)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(u.username, 'Wrong-Password-1!')).statusCode).toBe(401);
  });

  it('requires the CSRF token on state-changing requests and refuses tampered cookies', async () => {
    const u = await createTestUser(h, 'editor');
    const s = await signIn(h.app, u);
    const noToken = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: s.cookie },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const wrongToken = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: s.cookie, 'x-csrf-token': `${s.csrfToken.slice(0, -2)}xx` },
    });
    expect(wrongToken.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const tampered = `${s.cookie.slice(0, -3)}${s.cookie.endsWith('A') ? 'BBB' : 'AAA'}`;
    const res = await h.app.inject({ url: '/api/auth/session', headers: { cookie: tampered } });
    expect(res.statusCode).toBe(401);
    const ok = await h.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().csrfToken).toBe(s.csrfToken);
  });

  it('ends sessions after the idle timeout and the absolute lifetime', async () => {
    const u = await createTestUser(h, 'editor');
    const s = await signIn(h.app, u);
    await ageSessions(h, u.id, 31);
    expect((await h.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(
      401,
    );

    const v = await createTestUser(h, 'editor');
    const t = await signIn(h.app, v);
    await sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${v.id}`.execute(
      h.db,
    );
    expect((await h.app.inject({ url: '/api/auth/session', headers: { cookie: t.cookie } })).statusCode).toBe(
      401,
    );
    const reasons = await h.db
      .selectFrom('sessions')
      .select('revoked_reason')
      .where('user_id', 'in', [u.id, v.id])
      .execute();
    expect(reasons.map((r) => r.revoked_reason).sort()).toEqual(['expired', 'idle_timeout']);
  });

  it('logout ends the session', async () => {
    const u = await createTestUser(h, 'editor');
    const s = await signIn(h.app, u);
    expect(
      (await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.headers })).statusCode,
    ).toBe(200);
    expect((await h.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(
      401,
    );
  });

  it('forces a new user to replace the initial password, then rotates the session id', async () => {
    const admin = await createTestUser(h, 'superadmin');
    const a = await signIn(h.app, admin);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: a.headers,
      payload: { username: 'new.editor', displayName: '新编辑', role: 'editor' },
    });
    expect(created.statusCode).toBe(201);
    const { initialPassword, user } = created.json();
    expect(user.mustChangePassword).toBe(true);

    const s = await signIn(h.app, {
      username: 'new.editor',
      password: initialPassword,
      role: 'editor',
      totpSecret: null,
    });
    expect(s.stage).toBe('password_change');
    const blocked = await h.app.inject({ url: '/api/organisations', headers: { cookie: s.cookie } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    const weak = await h.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: s.headers,
      payload: { currentPassword: initialPassword, newPassword: 'password' },
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error.code).toBe('PASSWORD_POLICY');
    expect(weak.json().error.details.violations.map((v: { code: string }) => v.code)).toContain(
      'PASSWORD_TOO_SHORT',
    );

    const reuse = await h.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: s.headers,
      payload: { currentPassword: initialPassword, newPassword: initialPassword },
    });
    expect(reuse.json().error.code).toBe('PASSWORD_REUSED');

    const newPassword = goodPassword();
    const changed = await h.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: s.headers,
      payload: { currentPassword: initialPassword, newPassword },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().stage).toBe('full');
    const next = cookieFrom(changed.headers['set-cookie'], 'yy_sid');
    expect(next).not.toBe(s.cookie);
    expect((await h.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(
      401,
    );
    expect((await h.app.inject({ url: '/api/organisations', headers: { cookie: next } })).statusCode).toBe(
      200,
    );
  });

  it('an expired password can only be changed', async () => {
    const u = await createTestUser(h, 'editor');
    await sql`update users set password_changed_at = now() - interval '91 days' where id = ${u.id}`.execute(
      h.db,
    );
    const s = await signIn(h.app, u);
    expect(s.stage).toBe('password_change');
    expect(
      (await h.app.inject({ url: '/api/organisations', headers: { cookie: s.cookie } })).json().error.code,
    ).toBe('PASSWORD_CHANGE_REQUIRED');
  });

  it('rejects over-long passwords before hashing, and malformed fields', async () => {
    const long = await login('editor1', 'A'.repeat(129));
    expect(long.statusCode).toBe(400);
    expect(long.json().error.code).toBe('VALIDATION_FAILED');
    for (const payload of [
      { username: '', password: 'x' },
      { username: 'a b', password: 'x' },
      { username: 'x'.repeat(65), password: 'x' },
      { username: 'admin', password: 'x', otp: '12' },
      { username: 'admin', password: 'x', extra: 1 },
      { username: 'admin' },
    ]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('an admin revokes all sessions of a user; disabling a user ends them too', async () => {
    const sec = await createTestUser(h, 'security_admin');
    const u = await createTestUser(h, 'editor');
    const s1 = await signIn(h.app, u);
    const s2 = await signIn(h.app, u);
    const admin = await signIn(h.app, sec);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/users/${u.id}/revoke-sessions`,
      headers: admin.headers,
    });
    expect(res.json()).toEqual({ revoked: 2 });
    for (const s of [s1, s2])
      expect(
        (await h.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode,
      ).toBe(401);
  });

  it("a role change (privilege change) ends the user's sessions", async () => {
    const sec = await createTestUser(h, 'security_admin');
    const u = await createTestUser(h, 'editor');
    const s = await signIn(h.app, u);
    const admin = await signIn(h.app, sec);
    const res = await h.app.inject({
      method: 'PUT',
      url: `/api/users/${u.id}/role`,
      headers: admin.headers,
      payload: { role: 'planner' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().role).toBe('planner');
    expect((await h.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(
      401,
    );
    const self = await h.app.inject({
      method: 'PUT',
      url: `/api/users/${sec.id}/role`,
      headers: admin.headers,
      payload: { role: 'auditor' },
    });
    expect(self.json().error.code).toBe('SELF_GRANT');
  });
});

describe('two-factor sign-in', () => {
  let h: IdentityHarness;
  beforeAll(async () => {
    h = await identityHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('enrols by otpauth URI, confirms with a code, hands out 10 recovery codes, and then requires a code', async () => {
    const u = await createTestUser(h, 'editor');
    const s = await signIn(h.app, u);
    expect(s.stage).toBe('totp_enrol');
    expect(
      (await h.app.inject({ url: '/api/organisations', headers: { cookie: s.cookie } })).json().error.code,
    ).toBe('TOTP_ENROLMENT_REQUIRED');
    const enrol = await h.app.inject({ method: 'POST', url: '/api/auth/2fa/enrol', headers: s.headers });
    expect(enrol.statusCode).toBe(200);
    const { secret, otpauthUri, qrDataUrl } = enrol.json();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    const stored = await h.db
      .selectFrom('users')
      .select('totp_secret')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(stored.totp_secret).not.toContain(secret);

    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/auth/2fa/confirm',
      headers: s.headers,
      payload: { otp: '000000' },
    });
    expect(bad.statusCode).toBe(401);
    const confirmCode = totpCode(secret);
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/auth/2fa/confirm',
      headers: s.headers,
      payload: { otp: confirmCode },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().stage).toBe('full');
    const recovery: string[] = ok.json().recoveryCodes;
    expect(new Set(recovery).size).toBe(10);

    const noOtp = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: u.username, password: u.password },
    });
    expect(noOtp.json().error.code).toBe('OTP_REQUIRED');
    // The code used to confirm was spent: the same time step cannot be used again.
    const replay = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      // The very code used to confirm (not "the current code": the 30 s step may have moved on).
      payload: { username: u.username, password: u.password, otp: confirmCode },
    });
    expect(replay.json().error.code).toBe('INVALID_OTP');
    const next = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: u.username, password: u.password, otp: totpCode(secret, 1) },
    });
    expect(next.statusCode).toBe(200);
    expect(next.json().stage).toBe('full');

    const viaRecovery = { username: u.username, password: u.password, otp: recovery[0] };
    expect(
      (await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: viaRecovery })).statusCode,
    ).toBe(200);
    expect(
      (await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: viaRecovery })).json().error
        .code,
    ).toBe('INVALID_OTP');
  });

  it('a security admin resets a lost second factor: sessions end, the user enrols again', async () => {
    const sec = await createTestUser(h, 'security_admin', { totp: true });
    const u = await createTestUser(h, 'editor', { totp: true });
    const us = await signIn(h.app, u);
    const s = await signIn(h.app, sec);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/users/${u.id}/reset-2fa`,
      headers: s.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().totpEnabled).toBe(false);
    expect(
      (await h.app.inject({ url: '/api/auth/session', headers: { cookie: us.cookie } })).statusCode,
    ).toBe(401);
    const again = await signIn(h.app, { ...u, totpSecret: null });
    expect(again.stage).toBe('totp_enrol');
    const self = await h.app.inject({
      method: 'POST',
      url: `/api/users/${sec.id}/reset-2fa`,
      headers: s.headers,
    });
    expect(self.json().error.code).toBe('SELF_RESET');
  });

  it("hands the superadmin role over only with the holder's password and a fresh code", async () => {
    const holder = await createTestUser(h, 'superadmin', { totp: true });
    const next = await createTestUser(h, 'editor', { totp: true });
    const s = await signIn(h.app, holder, { otp: totpCode(holder.totpSecret as string, -1) });
    const attempt = (payload: Record<string, unknown>) =>
      h.app.inject({ method: 'POST', url: '/api/users/superadmin-handover', headers: s.headers, payload });
    const wrong = await attempt({
      toUserId: next.id,
      password: 'Wrong-Password-1!',
      otp: totpCode(holder.totpSecret as string),
      formerRole: 'editor',
    });
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    const ok = await attempt({
      toUserId: next.id,
      password: holder.password,
      otp: totpCode(holder.totpSecret as string),
      formerRole: 'editor',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().superadmin.id).toBe(next.id);
    expect(ok.json().former.role).toBe('editor');
    const supers = await h.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'superadmin')
      .where('status', '=', 'active')
      .execute();
    expect(supers.map((r) => r.id)).toEqual([next.id]);
    const audit = await h.db
      .selectFrom('audit_log')
      .select('outcome')
      .where('action', '=', 'user.superadmin_handover')
      .execute();
    expect(audit.map((a) => a.outcome)).toEqual(['failure', 'success']);
  });
});

describe('network allow-list and per-address throttling', () => {
  let h: IdentityHarness;
  beforeAll(async () => {
    h = await identityHarness({
      ADMIN_IP_ALLOWLIST: '10.1.0.0/16,2001:db8::/32',
      TOTP_REQUIRED_ROLES: 'none',
      LOGIN_IP_MAX_FAILURES: '3',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses backend routes, login included, from outside the list (audited); the portal stays reachable', async () => {
    for (const url of ['/api/auth/login', '/api/users', '/admin']) {
      const res = await h.app.inject({
        method: url.endsWith('login') ? 'POST' : 'GET',
        url,
        remoteAddress: '203.0.113.9',
        payload: url.endsWith('login') ? { username: 'a1', password: 'b' } : undefined,
      });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('IP_NOT_ALLOWED');
    }
    const refusals = await h.db
      .selectFrom('audit_log')
      .select(['ip', 'outcome'])
      .where('action', '=', 'security.ip_refused')
      .execute();
    expect(refusals.length).toBe(3);
    expect(refusals[0]).toEqual({ ip: '203.0.113.9', outcome: 'denied' });

    const portal = await h.app.inject({
      method: 'POST',
      url: '/portal/api/auth/login',
      remoteAddress: '203.0.113.9',
      payload: { username: 'nobody1', password: 'x' },
    });
    expect(portal.statusCode).toBe(401);
    for (const ip of ['10.1.2.3', '::ffff:10.1.2.3', '2001:db8::5']) {
      const inside = await h.app.inject({ url: '/api/users', remoteAddress: ip });
      expect(inside.statusCode, ip).toBe(401);
    }
  });

  it('does not believe X-Forwarded-For unless TRUST_PROXY says so', async () => {
    const res = await h.app.inject({
      url: '/api/users',
      remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-for': '10.1.2.3' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('throttles failed logins per address with 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/portal/api/auth/login',
        remoteAddress: '198.51.100.7',
        payload: { username: `ghost${i}`, password: 'Wrong-Password-1!' },
      });
      codes.push(res.statusCode);
    }
    expect(codes).toEqual([401, 401, 401, 429]);
  });
});

describe('TRUST_PROXY', () => {
  it('believes X-Forwarded-For from a trusted proxy', async () => {
    const h = await identityHarness({ ADMIN_IP_ALLOWLIST: '10.1.0.0/16', TRUST_PROXY: '127.0.0.1/32' });
    try {
      const res = await h.app.inject({
        url: '/api/users',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '10.1.2.3' },
      });
      expect(res.statusCode).toBe(401);
      const outside = await h.app.inject({
        url: '/api/users',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '203.0.113.1' },
      });
      expect(outside.statusCode).toBe(403);
    } finally {
      await h.close();
    }
  });
});

import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, createTestDatabase, tempDir, uniqueName } from '../helpers/services.js';
import { spawnTs, waitForOutput, waitForStatus } from '../helpers/spawn.js';
import { testServiceUrls } from '../helpers/urls.js';

/** The service as an operator meets it: `node bin/main.ts`, its exit codes and its messages. */

const MAIN = 'bin/main.ts';
const URL_LINE = /API docs\s+\S+\s+(http:\/\/\S+)\/docs/;

function expectNoStack(text: string) {
  expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
}

describe('start-up failures', () => {
  it('a bad variable stops start-up with one line naming it and exit code 1', async () => {
    const s = spawnTs(MAIN, [], { PORT: 'abc', LOG_LEVEL: 'silent' });
    const { code } = await s.exited;
    expect(code).toBe(1);
    expect(s.stderr().trim().split('\n')).toEqual([
      'yunying: Invalid configuration: PORT must be a whole number, got "abc"',
    ]);
  });

  it('an unknown role exits with code 2 and the usage', async () => {
    const s = spawnTs(MAIN, ['--role', 'everything'], {});
    expect((await s.exited).code).toBe(2);
    expect(s.stderr()).toContain('--role must be one of api, worker, all, got "everything"');
  });

  it('an unreachable database is named with a hint', async () => {
    const s = spawnTs(MAIN, [], {
      DATABASE_URL: 'postgres://app:pw-secret@127.0.0.1:1/x',
      LOG_LEVEL: 'silent',
    });
    expect((await s.exited).code).toBe(1);
    expect(s.stderr()).toMatch(
      /^yunying: Cannot connect to the database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/x: .+\n {2}hint: /,
    );
    expect(s.stderr()).not.toContain('pw-secret');
    expectNoStack(s.stderr());
  });

  it('pending migrations on a real database stop start-up and say what to run', async () => {
    const db = await createTestDatabase();
    try {
      const s = spawnTs(MAIN, [], {
        DATABASE_URL: db.url,
        REDIS_URL: testServiceUrls().redisUrl,
        LOG_LEVEL: 'silent',
      });
      expect((await s.exited).code).toBe(1);
      expect(s.stderr()).toMatch(
        /pending migration\(s\): 2026_11_22_120000_create_organisations_users_audit_log/,
      );
      expect(s.stderr()).toContain('npm run migrate');
    } finally {
      await db.drop();
    }
  });

  it('an unreachable Redis is named with a hint', async () => {
    const db = await createMigratedDatabase();
    try {
      const s = spawnTs(MAIN, [], {
        DATABASE_URL: db.url,
        REDIS_URL: 'redis://127.0.0.1:1',
        LOG_LEVEL: 'silent',
      });
      expect((await s.exited).code).toBe(1);
      expect(s.stderr()).toMatch(
        /^yunying: Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: .+\n {2}hint: /,
      );
      expectNoStack(s.stderr());
    } finally {
      await db.drop();
    }
  });

  it('a port in use is named with a hint', async () => {
    const db = await createMigratedDatabase();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const s = spawnTs(MAIN, ['--role', 'api'], {
        DATABASE_URL: db.url,
        REDIS_URL: testServiceUrls().redisUrl,
        PORT: String(port),
        LOG_LEVEL: 'silent',
      });
      expect((await s.exited).code).toBe(1);
      expect(s.stderr()).toContain(`yunying: Port ${port} on 127.0.0.1 is already in use`);
      expectNoStack(s.stderr());
    } finally {
      blocker.close();
      await db.drop();
    }
  });
});

describe('running and stopping', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('with real Postgres and Redis: ready, then SIGTERM stops cleanly with exit 0', async () => {
    const s = spawnTs(MAIN, ['--role', 'all'], {
      DATABASE_URL: db.url,
      REDIS_URL: testServiceUrls().redisUrl,
      REDIS_PREFIX: uniqueName('t-main').toLowerCase(),
      PORT: '0',
      LOG_LEVEL: 'warn',
    });
    try {
      const [, base] = await waitForOutput(s, URL_LINE, 30_000);
      await waitForStatus(`${base}/readyz`, 200, 15_000);
      s.child.kill('SIGTERM');
      expect(await s.exited).toEqual({ code: 0, signal: null });
      expectNoStack(s.stderr());
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('on the embedded defaults: migrates itself, gets ready, and Ctrl-C leaves nothing behind', async () => {
    const dir = await tempDir();
    const s = spawnTs(MAIN, [], {
      DATA_DIR: dir.dir,
      REDIS_URL: testServiceUrls().redisUrl,
      REDIS_PREFIX: uniqueName('t-emb').toLowerCase(),
      PORT: '0',
      LOG_LEVEL: 'warn',
    });
    try {
      const [, base] = await waitForOutput(s, URL_LINE, 60_000);
      expect(s.stdout()).toContain(`embedded database in ${dir.dir}`);
      await waitForStatus(`${base}/readyz`, 200, 15_000);
      expect(existsSync(path.join(dir.dir, 'pglite.lock'))).toBe(true);
      // A brand-new database gets a demo superadmin whose one-time password is printed once.
      const password = /Password 密码 {4}(\S+)/.exec(s.stdout())?.[1];
      expect(s.stdout()).toMatch(/Username 用户名 {2}admin/);
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      const body = (await login.json()) as { stage: string; csrfToken: string };
      expect(body.stage).toBe('password_change');
      await expectSandboxDemo(
        base as string,
        login.headers.get('set-cookie') ?? '',
        body.csrfToken,
        password as string,
      );
      s.child.kill('SIGINT');
      expect(await s.exited).toEqual({ code: 0, signal: null });
      expect(existsSync(path.join(dir.dir, 'pglite.lock'))).toBe(false);
    } finally {
      s.child.kill('SIGKILL');
      await dir.remove();
    }
  });
});

/**
 * The demo superadmin finishes the first sign-in (new password, two-factor) and finds the sandbox
 * organisation's accounts, marked sandbox, whose credentials verify against the in-process emulator.
 */
async function expectSandboxDemo(
  base: string,
  setCookie: string,
  csrfToken: string,
  password: string,
): Promise<void> {
  let cookie = setCookie.split(';')[0] as string;
  let csrf = csrfToken;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });
    const next = res.headers.get('set-cookie');
    if (next) cookie = next.split(';')[0] as string;
    const json = (await res.json()) as Record<string, unknown>;
    if (typeof json.csrfToken === 'string') csrf = json.csrfToken;
    return { status: res.status, json };
  };
  expect(
    (await post('/api/auth/password', { currentPassword: password, newPassword: 'Demo-Harbour-Lamp-42' }))
      .status,
  ).toBe(200);
  const enrol = await post('/api/auth/2fa/enrol', {});
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(enrol.json.secret as string),
    digits: 6,
    period: 30,
  });
  expect((await post('/api/auth/2fa/confirm', { otp: totp.generate() })).json.stage).toBe('full');
  const accounts = (await (await fetch(`${base}/api/accounts`, { headers: { cookie } })).json()) as {
    items: Array<{ id: string; platform: string; sandbox: boolean; name: string }>;
  };
  expect(accounts.items.map((a) => [a.platform, a.sandbox])).toEqual(
    expect.arrayContaining([
      ['wechat', true],
      ['weibo', true],
    ]),
  );
  expect(accounts.items.every((a) => a.name.includes('沙箱'))).toBe(true);
  const wechat = accounts.items.find((a) => a.platform === 'wechat') as { id: string };
  const verified = await post(`/api/accounts/${wechat.id}/verify`, {});
  expect(verified.json.check, JSON.stringify(verified.json)).toMatchObject({
    token: true,
    publishing: true,
    analytics: true,
  });
  const weibo = accounts.items.find((a) => a.platform === 'weibo') as { id: string };
  const weiboVerified = await post(`/api/accounts/${weibo.id}/verify`, {});
  expect(weiboVerified.json.check, JSON.stringify(weiboVerified.json)).toMatchObject({
    token: true,
    analytics: true,
  });
}

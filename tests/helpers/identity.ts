import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import * as OTPAuth from 'otpauth';
import { type App, type AppDeps, buildApp } from '../../api/app.js';
import type { Config } from '../../core/config/config.js';
import type { IdentityContext } from '../../core/identity/identity.context.js';
import type { Role } from '../../core/identity/identity.table.js';
import { totpSecretContext } from '../../core/identity/login.service.js';
import { hashPassword } from '../../core/identity/passwords.js';
import { generateTotpSecret } from '../../core/identity/totp.js';
import { insertUser, setTotp } from '../../core/identity/users.repository.js';
import { type Keyring, keyringFromKeys } from '../../core/secrets/keyring.js';
import { encryptSecret } from '../../core/secrets/secret-box.js';
import { clearPrefix, createMigratedDatabase, silentLogger, testConfig, uniqueName } from './services.js';
import { testServiceUrls } from './urls.js';

/** A password that satisfies the policy, unique per call. */
export function goodPassword(): string {
  return `Qz7!${randomBytes(6).toString('hex')}-Kp`;
}

export interface IdentityHarness extends IdentityContext {
  app: App;
  config: Config;
  keyring: Keyring;
  orgId: string;
  close(): Promise<void>;
}

/** A migrated database, Redis under a unique prefix, and the app built on them. */
export async function identityHarness(
  env: Record<string, string> = {},
  /** More app dependencies (a publish queue …), built on the harness's Redis and prefix. */
  more: (ctx: { redis: Redis; prefix: string }) => Partial<AppDeps> = () => ({}),
): Promise<IdentityHarness> {
  const database = await createMigratedDatabase();
  const prefix = uniqueName('t-id').toLowerCase();
  const redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
  const config = testConfig({ DATABASE_URL: database.url, REDIS_PREFIX: prefix, ...env });
  const keyring = keyringFromKeys(randomBytes(32).toString('base64'), []);
  // A harness that fails to start leaves no database or Redis connection behind.
  const app = await buildApp({
    config,
    logger: silentLogger,
    db: database.db,
    redis,
    keyring,
    ...more({ redis, prefix }),
  }).catch(async (err: unknown) => {
    redis.disconnect();
    await database.drop();
    throw err;
  });
  const org = await database.db
    .insertInto('organisations')
    .values({ slug: `org-${randomBytes(3).toString('hex')}`, name: '省体彩中心' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    app,
    db: database.db,
    redis,
    config,
    keyring,
    orgId: org.id,
    close: async () => {
      await app.close();
      await clearPrefix(redis, prefix);
      await redis.quit();
      await database.drop();
    },
  };
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  role: Role;
  totpSecret: string | null;
}

/** Inserts a ready-to-use user (own password set; TOTP enrolled when `totp`). */
export async function createTestUser(
  h: IdentityHarness,
  role: Role,
  opts: { totp?: boolean; mustChangePassword?: boolean; username?: string } = {},
): Promise<TestUser> {
  const password = goodPassword();
  const username = opts.username ?? `${role.replace('_', '')}${randomBytes(3).toString('hex')}`;
  const portal = role === 'client_approver' || role === 'client_viewer';
  const row = await insertUser(h.db, {
    username,
    displayName: `Test ${role}`,
    role,
    organisationId: portal ? h.orgId : null,
    passwordHash: await hashPassword(password),
    mustChangePassword: opts.mustChangePassword ?? false,
  });
  let totpSecret: string | null = null;
  if (opts.totp) {
    totpSecret = generateTotpSecret();
    await setTotp(h.db, row.id, {
      secret: encryptSecret(h.keyring, totpSecret, totpSecretContext(row.id)),
      enabled: true,
      lastStep: null,
    });
  }
  return { id: row.id, username, password, role, totpSecret };
}

/** The TOTP code of a secret, `offsetSteps` time steps from now. */
export function totpCode(secret: string, offsetSteps = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

export interface SignedIn {
  cookie: string;
  csrfToken: string;
  stage: string;
  /** Headers for a state-changing request: the cookie and the CSRF token. */
  headers: Record<string, string>;
}

export function cookieFrom(setCookie: string | string[] | undefined, name: string): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const found = list.find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie in ${JSON.stringify(list)}`);
  return found.split(';')[0] as string;
}

export async function signIn(
  app: App,
  user: Pick<TestUser, 'username' | 'password' | 'role' | 'totpSecret'>,
  opts: { otp?: string; remoteAddress?: string } = {},
): Promise<SignedIn> {
  const portal = user.role === 'client_approver' || user.role === 'client_viewer';
  const res = await app.inject({
    method: 'POST',
    url: portal ? '/portal/api/auth/login' : '/api/auth/login',
    payload: {
      username: user.username,
      password: user.password,
      ...(opts.otp ? { otp: opts.otp } : user.totpSecret ? { otp: totpCode(user.totpSecret) } : {}),
    },
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
  });
  if (res.statusCode !== 200)
    throw new Error(`login of ${user.username} failed: ${res.statusCode} ${res.body}`);
  const cookie = cookieFrom(res.headers['set-cookie'], portal ? 'yy_portal_sid' : 'yy_sid');
  const body = res.json();
  return {
    cookie,
    csrfToken: body.csrfToken,
    stage: body.stage,
    headers: { cookie, 'x-csrf-token': body.csrfToken },
  };
}

/** Ages a session (idle or absolute timeout tests) by moving its timestamps into the past. */
export async function ageSessions(h: IdentityHarness, userId: string, minutes: number): Promise<void> {
  await sql`update sessions set last_seen_at = last_seen_at - make_interval(mins => ${minutes}),
    created_at = created_at - make_interval(mins => ${minutes}) where user_id = ${userId}`.execute(h.db);
}

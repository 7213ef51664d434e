/**
 * `npm run bench:auth` — what authentication costs (issue 3 targets):
 *   login latency   POST /api/auth/login end to end (argon2id verify + session + audit), target 50–250 ms
 *   verify alone    one argon2id verify with the chosen parameters
 *   auth overhead   p50 of an authenticated GET minus p50 of the same handler as a public route,
 *                   target < 1 ms per request
 * Runs in-process with `app.inject()` against the real PostgreSQL and Redis (no network noise), with
 * the two routes interleaved so both see the same machine state. BENCH_ROUNDS (default 2000).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { buildApp } from '../api/app.js';
import { loadConfig } from '../core/config/config.js';
import { ARGON2_OPTIONS, hashPassword, verifyPassword } from '../core/identity/passwords.js';
import { insertUser } from '../core/identity/users.repository.js';
import { createLogger } from '../core/logger.js';
import { keyringFromKeys } from '../core/secrets/keyring.js';
import { clearPrefix, createMigratedDatabase } from '../tests/helpers/services.js';
import { testServiceUrls } from '../tests/helpers/urls.js';
import { summary } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2000);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 40);

const ms = (v: number) => v.toFixed(3);

async function main(): Promise<void> {
  const database = await createMigratedDatabase();
  const prefix = `yybenchauth${process.pid}`;
  const { redisUrl } = testServiceUrls();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    TOTP_REQUIRED_ROLES: 'none',
    LOGIN_IP_MAX_FAILURES: '10000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp({
    config,
    logger: createLogger('silent'),
    db: database.db,
    redis,
    keyring: keyringFromKeys(randomBytes(32).toString('base64'), []),
  });
  app.get('/bench/public', { config: { permission: 'public' } }, async () => ({ ok: true }));
  app.get('/api/bench/private', { config: { permission: 'auth.self' } }, async () => ({ ok: true }));
  try {
    const password = `Bench!${randomBytes(6).toString('hex')}Aa1`;
    await insertUser(database.db, {
      username: 'bench.editor',
      displayName: 'Bench',
      role: 'editor',
      organisationId: null,
      passwordHash: await hashPassword(password),
      mustChangePassword: false,
    });
    const hash = await hashPassword(password);
    const verifies: number[] = [];
    for (let i = 0; i < LOGINS; i++) {
      const t = performance.now();
      await verifyPassword(hash, password);
      verifies.push(performance.now() - t);
    }

    const logins: number[] = [];
    let cookie = '';
    for (let i = 0; i < LOGINS; i++) {
      const t = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'bench.editor', password },
      });
      logins.push(performance.now() - t);
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      cookie = String(res.headers['set-cookie']).split(';')[0] as string;
    }

    // Unknown users must cost the same as a wrong password (no user enumeration by timing).
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < LOGINS; i++) {
      let t = performance.now();
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'bench.editor', password: 'Wrong-Password-1!' },
      });
      wrong.push(performance.now() - t);
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'bench.editor', password },
      });
      t = performance.now();
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'nobody.here', password: 'Wrong-Password-1!' },
      });
      unknown.push(performance.now() - t);
    }

    const pub: number[] = [];
    const priv: number[] = [];
    for (let i = 0; i < 200; i++) {
      await app.inject({ url: '/bench/public' });
      await app.inject({ url: '/api/bench/private', headers: { cookie } });
    }
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      await app.inject({ url: '/bench/public' });
      pub.push(performance.now() - t);
      t = performance.now();
      const res = await app.inject({ url: '/api/bench/private', headers: { cookie } });
      priv.push(performance.now() - t);
      if (res.statusCode !== 200) throw new Error(`authenticated request failed: ${res.body}`);
    }

    const v = summary(verifies);
    const l = summary(logins);
    const w = summary(wrong);
    const u = summary(unknown);
    const p = summary(pub);
    const a = summary(priv);
    const overhead = a.p50 - p.p50;
    const lines = [
      `node ${process.version}; argon2id m=${ARGON2_OPTIONS.memoryCost} KiB t=${ARGON2_OPTIONS.timeCost} p=${ARGON2_OPTIONS.parallelism}; ${LOGINS} logins, ${ROUNDS} request pairs`,
      '',
      '| measure | p50 ms | min ms | p90 ms | max ms | target | ratio |',
      '|---|---|---|---|---|---|---|',
      `| argon2id verify | ${ms(v.p50)} | ${ms(v.min)} | ${ms(v.p90)} | ${ms(v.max)} | 50–250 | — |`,
      `| login (POST /api/auth/login) | ${ms(l.p50)} | ${ms(l.min)} | ${ms(l.p90)} | ${ms(l.max)} | 50–250 | ${(l.p50 / 250).toFixed(2)} of 250 |`,
      `| wrong password | ${ms(w.p50)} | ${ms(w.min)} | ${ms(w.p90)} | ${ms(w.max)} | ≈ unknown user | — |`,
      `| unknown user | ${ms(u.p50)} | ${ms(u.min)} | ${ms(u.p90)} | ${ms(u.max)} | ≈ wrong password | ${(u.p50 / w.p50).toFixed(2)}× wrong password |`,
      `| public GET | ${ms(p.p50)} | ${ms(p.min)} | ${ms(p.p90)} | ${ms(p.max)} | — | — |`,
      `| authenticated GET | ${ms(a.p50)} | ${ms(a.min)} | ${ms(a.p90)} | ${ms(a.max)} | — | ${(a.p50 / p.p50).toFixed(2)}× public |`,
      `| auth overhead (p50 difference) | ${ms(overhead)} | | | | < 1 | ${overhead.toFixed(2)} of 1 |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await app.close();
    await clearPrefix(redis, prefix);
    await redis.quit();
    await database.drop();
  }
}

await main();

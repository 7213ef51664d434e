import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../api/app.js';
import { AppError } from '../../core/errors.js';
import { HEARTBEAT_NAME } from '../../core/health/readiness.js';
import { recordHeartbeat } from '../../core/heartbeat/heartbeat.repository.js';
import { keyringFromKeys } from '../../core/secrets/keyring.js';
import {
  clearPrefix,
  createMigratedDatabase,
  silentLogger,
  testConfig,
  uniqueName,
} from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

describe('API shell', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let redis: Redis;
  let app: App;
  const prefix = uniqueName('t-api').toLowerCase();

  async function makeApp(overrides: Record<string, string> = {}, client: Redis = redis): Promise<App> {
    const config = testConfig({ DATABASE_URL: database.url, REDIS_PREFIX: prefix, ...overrides });
    const a = await buildApp({
      config,
      logger: silentLogger,
      db: database.db,
      redis: client,
      keyring: keyringFromKeys(randomBytes(32).toString('base64'), []),
    });
    // Test-only routes: a validated body, a thrown AppError and an unexpected crash.
    a.post(
      '/test/echo',
      {
        config: { permission: 'public' },
        schema: {
          body: Type.Object({ name: Type.String({ minLength: 2 }), count: Type.Integer({ minimum: 1 }) }),
        },
      },
      async (req) => req.body,
    );
    a.get('/test/conflict', { config: { permission: 'public' } }, async () => {
      throw new AppError('POST_ALREADY_PUBLISHING', 'The post is already being published', 409, {
        postId: 'p1',
      });
    });
    a.get('/test/crash', { config: { permission: 'public' } }, async () => {
      throw new Error('db password=hunter2 leaked in a stack');
    });
    return a;
  }

  beforeAll(async () => {
    database = await createMigratedDatabase();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    app = await makeApp();
  });
  afterAll(async () => {
    await app?.close();
    await clearPrefix(redis, prefix);
    await redis.quit();
    await database.drop();
  });

  it('/healthz answers while alive', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });

  it('/readyz is 503 naming the heartbeat until a worker has beaten, then 200', async () => {
    const before = await app.inject('/readyz');
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({
      status: 'not_ready',
      failing: ['heartbeat'],
      checks: { database: { ok: true }, redis: { ok: true }, heartbeat: { ok: false, ageSeconds: null } },
    });
    await recordHeartbeat(database.db, { name: HEARTBEAT_NAME, jobId: 'test-1', worker: 'test' });
    const after = await app.inject('/readyz');
    expect(after.statusCode).toBe(200);
    expect(after.json().checks.heartbeat.ageSeconds).toBeLessThan(5);
  });

  it('/readyz names Redis when it stops answering', async () => {
    const broken = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    broken.on('error', () => undefined);
    const a = await makeApp({}, broken);
    try {
      const res = await a.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json().failing).toEqual(['redis']);
      expect(res.json().checks.redis.error).toBeTruthy();
    } finally {
      await a.close();
      broken.disconnect();
    }
  });

  it('rejects an invalid body with 400 VALIDATION_FAILED and the fields', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'x', count: 0 } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toBe('请求参数不符合要求');
    expect(body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['body.name']),
    );
  });

  it('rejects malformed JSON and wrong content types with stable codes', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_JSON');
    const xml = await app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: '<a/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('passes an AppError through with its status, code and details, in English on request', async () => {
    const res = await app.inject({ url: '/test/conflict', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: {
        code: 'POST_ALREADY_PUBLISHING',
        message: 'The post is already being published',
        details: { postId: 'p1' },
      },
    });
  });

  it('hides the internals of a 500 and gives the request id', async () => {
    const res = await app.inject({ url: '/test/crash', headers: { 'x-request-id': 'req-abcdef-123' } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.json()).toEqual({
      error: {
        code: 'INTERNAL_ERROR',
        message: '服务器内部错误，请联系运维人员',
        details: { requestId: 'req-abcdef-123' },
      },
    });
    expect(res.headers['x-request-id']).toBe('req-abcdef-123');
  });

  it('answers unknown routes with 404 ROUTE_NOT_FOUND', async () => {
    const res = await app.inject('/api/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('sets security headers and a request id', async () => {
    const res = await app.inject('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    const json = await app.inject('/docs/json');
    expect(json.statusCode).toBe(200);
    expect(Object.keys(json.json().paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const ui = await app.inject('/docs');
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('serves the backend and portal placeholders in Chinese', async () => {
    for (const url of ['/admin', '/portal']) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<html lang="zh-CN">');
    }
  });

  it('serves the portal pages in English only for the exact yy_lang=en cookie, varying by cookie', async () => {
    for (const url of ['/portal', '/portal/login', '/portal/setup', '/portal/inbox']) {
      const en = await app.inject({ url, cookies: { yy_lang: 'en' } });
      expect(en.statusCode).toBe(200);
      expect(en.body).toContain('<html lang="en">');
      expect(en.body).toContain('>中文</button>');
      expect(en.headers.vary).toContain('Cookie');
      expect(en.headers['cache-control']).toBe('no-cache');
      const others: Record<string, string>[] = [
        {},
        { yy_lang: 'zh-CN' },
        { yy_lang: 'EN' },
        { yy_lang: 'en-US' },
      ];
      for (const cookies of others) {
        const zh = await app.inject({ url, cookies });
        expect(zh.body, JSON.stringify(cookies)).toContain('<html lang="zh-CN">');
        expect(zh.body).toContain('>English</button>');
        expect(zh.headers.vary).toContain('Cookie');
      }
    }
    const dashboard = await app.inject({ url: '/portal', cookies: { yy_lang: 'en' } });
    expect(dashboard.body).toContain('<h1>Dashboard</h1>');
    // Nothing Chinese left but the switch back, which names Chinese in Chinese.
    expect(dashboard.body.replace('>中文<', '')).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('rate-limits per client with 429 RATE_LIMITED, but never the health probes', async () => {
    const limited = await makeApp({ RATE_LIMIT_PER_MINUTE: '3', REDIS_PREFIX: `${prefix}-rl` });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await limited.inject('/portal')).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const res = await limited.inject('/portal');
      expect(res.json().error.code).toBe('RATE_LIMITED');
      expect(res.json().error.details.retryAfterSeconds).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) expect((await limited.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await limited.close();
      await clearPrefix(redis, `${prefix}-rl`);
    }
  });
});

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { checkReadiness } from '../../core/health/readiness.js';
import type { AppDeps } from '../app.js';

const Check = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String()),
});

const ReadyBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  failing: Type.Array(Type.String(), { description: 'Names of the checks that failed' }),
  checks: Type.Object({
    database: Check,
    redis: Check,
    heartbeat: Type.Object({
      ok: Type.Boolean(),
      latencyMs: Type.Number(),
      ageSeconds: Type.Union([Type.Number(), Type.Null()], {
        description: 'Age of the last worker heartbeat',
      }),
      error: Type.Optional(Type.String()),
    }),
  }),
});

const AliveBody = Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Number() });

export const healthRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const noRateLimit = { rateLimit: false, permission: 'public' } as const;

  app.get(
    '/healthz',
    {
      config: noRateLimit,
      logLevel: 'warn',
      schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: AliveBody } },
    },
    async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }),
  );

  app.get(
    '/readyz',
    {
      config: noRateLimit,
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Readiness: database, Redis and the queue heartbeat (503 names the failing parts)',
        response: { 200: ReadyBody, 503: ReadyBody },
      },
    },
    async (_request, reply) => {
      const r = await checkReadiness({
        db: deps.db,
        pingRedis: () => deps.redis.ping(),
        heartbeatIntervalMs: deps.config.heartbeatIntervalMs,
      });
      const body: Static<typeof ReadyBody> = {
        status: r.ready ? 'ready' : 'not_ready',
        failing: r.failing,
        checks: r.checks,
      };
      return reply.status(r.ready ? 200 : 503).send(body);
    },
  );
};

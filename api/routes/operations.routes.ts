import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AppError } from '../../core/errors.js';
import { IpAllowList } from '../../core/identity/ip-allowlist.js';
import { renderPublishMetrics } from '../../core/observability/metrics.js';

export interface OperationsContext {
  redis: Redis;
  redisPrefix: string;
  adminIpAllowlist: readonly string[];
  queues: Readonly<Record<string, Queue>>;
}

const QUEUE_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized'] as const;

/**
 * `/metrics` for Prometheus (no session — a scraper has none — but only from ADMIN_IP_ALLOWLIST),
 * and the BullMQ queue board at `/admin/queues` for the superadmin (permission `queues.manage`,
 * given to the board's routes by prefix in permissions.ts).
 */
export const operationsRoutes: FastifyPluginAsync<OperationsContext> = async (app, ctx) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'yunying_' });
  const allowList = new IpAllowList(ctx.adminIpAllowlist);

  app.get(
    '/metrics',
    { schema: { hide: true }, config: { permission: 'public' } },
    async (request, reply) => {
      if (!allowList.allows(request.ip))
        throw new AppError('IP_NOT_ALLOWED', 'Metrics are not reachable from this network', 403);
      const counts: Record<string, Record<string, number>> = {};
      for (const [name, queue] of Object.entries(ctx.queues))
        counts[name] = await queue.getJobCounts(...QUEUE_STATES);
      const text =
        (await registry.metrics()) + (await renderPublishMetrics(ctx.redis, ctx.redisPrefix, counts));
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
    },
  );

  const board = new FastifyAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    // Read-only: its actions (retry, clean, promote) would bypass our CSRF check and the audit log.
    queues: Object.values(ctx.queues).map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Yunying 队列' } },
  });
  await app.register(board.registerPlugin(), { prefix: '/admin/queues' });
};

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Redis } from 'ioredis';
import { accountSecret } from '../core/accounts/accounts.service.js';
import type { Config } from '../core/config/config.js';
import type { Db } from '../core/db/database.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { SummaryCache } from '../core/metrics/cache.js';
import type { PublishQueue } from '../core/publishing/publish-queue.js';
import type { Keyring } from '../core/secrets/keyring.js';
import { createPlatformClients } from '../integrations/platforms.js';
import { enqueueBackfill } from '../workers/metrics.worker.js';
import { reportEnqueuer } from '../workers/reports.worker.js';
import { type RouteEntry, registerAuth } from './plugins/auth.js';
import { errorResponseSchema, registerErrorHandling } from './plugins/error-handler.js';
import { accountRoutes } from './routes/accounts.routes.js';
import { alertRoutes } from './routes/alerts.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { calendarRoutes } from './routes/calendar.routes.js';
import { campaignRoutes } from './routes/campaigns.routes.js';
import { contentRoutes } from './routes/contents.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { mediaRoutes } from './routes/media.routes.js';
import { metricsRoutes, portalMetricsRoutes } from './routes/metrics.routes.js';
import { operationsRoutes } from './routes/operations.routes.js';
import { organisationRoutes } from './routes/organisations.routes.js';
import { pageRoutes } from './routes/pages.routes.js';
import { portalAccountRoutes } from './routes/portal-accounts.routes.js';
import { portalCampaignRoutes } from './routes/portal-campaigns.routes.js';
import { portalContentRoutes } from './routes/portal-content.routes.js';
import { proofreadingRoutes } from './routes/proofreading.routes.js';
import { portalReportRoutes, reportRoutes } from './routes/reports.routes.js';
import { userRoutes } from './routes/users.routes.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  keyring: Keyring;
  /** Base URL of the in-process emulator serving sandbox accounts, when one runs. */
  sandboxBase?: string | null;
  /** Where scheduling puts publish jobs; without one the reconciler enqueues due items. */
  publishQueue?: PublishQueue;
  /** Asks for alert dispatches (the worker's queue); without one the reconciler triggers them. */
  alertTrigger?: (channelIds: string[]) => Promise<void>;
  /** The BullMQ queues, for /metrics and the queue board. */
  queues?: Readonly<Record<string, Queue>>;
}

/** The platform clients of a process, with credentials read from the encrypted secrets. */
export function platformClientsFor(
  config: Config,
  redis: Redis,
  db: Db,
  keyring: Keyring,
  sandboxBase: string | null,
) {
  return createPlatformClients({
    redis,
    redisPrefix: config.redis.prefix,
    wechatApiBase: config.wechatApiBase,
    weiboApiBase: config.weiboApiBase,
    weiboSafeDomains: config.weiboSafeDomains,
    sandboxBase,
    secretOf: (platform, externalId, name) => accountSecret(db, keyring, platform, externalId, name),
  });
}

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its permission and surface, as declared (the access-matrix test walks it). */
    routeTable: readonly RouteEntry[];
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Fastify's typings lack the hop-count form, so a count becomes the equivalent function. */
function trustProxyOption(
  value: Config['trustProxy'],
): boolean | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_addr, hop) => hop < value;
  return typeof value === 'boolean' ? value : [...value];
}

/** Builds the HTTP application without listening: the server and the tests (`inject`) both use it. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: 1024 * 1024,
    // A well-formed incoming X-Request-Id is kept so logs can be followed across proxies.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);
  app.addSchema(errorResponseSchema);
  const identity = { db: deps.db, redis: deps.redis, config, keyring: deps.keyring };
  const routeTable: RouteEntry[] = await registerAuth(app, identity);
  app.decorate('routeTable', routeTable);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    redis: deps.redis,
    nameSpace: `${config.redis.prefix}:ratelimit:`,
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('RATE_LIMITED', `Rate limit exceeded, retry in ${ctx.after}`, ctx.statusCode, {
        retryAfterSeconds: Math.ceil(ctx.ttl / 1000),
      }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Yunying 运营 API',
        version: '0.1.0',
        description:
          'Backend API of Yunying. Errors are `{ "error": { "code", "message", "details"? } }` with stable codes; messages are zh-CN unless Accept-Language prefers English.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(healthRoutes, deps);
  await app.register(pageRoutes);
  await app.register(authRoutes('backend'), { ...identity, prefix: '/api/auth' });
  await app.register(authRoutes('portal'), { ...identity, prefix: '/portal/api/auth' });
  await app.register(userRoutes, { ...identity, prefix: '/api/users' });
  await app.register(organisationRoutes, { ...identity, prefix: '/api/organisations' });
  await app.register(auditRoutes, { ...identity, prefix: '/api/audit' });
  const platforms = platformClientsFor(config, deps.redis, deps.db, deps.keyring, deps.sandboxBase ?? null);
  await app.register(accountRoutes, {
    db: deps.db,
    keyring: deps.keyring,
    verifiers: platforms.verifiers,
    prefix: '/api/accounts',
  });
  const content = { db: deps.db, config, ...(deps.publishQueue ? { publishQueue: deps.publishQueue } : {}) };
  await app.register(contentRoutes, { ...content, prefix: '/api/contents' });
  await app.register(portalContentRoutes, {
    ...content,
    dataDir: config.dataDir,
    prefix: '/portal/api/contents',
  });
  await app.register(mediaRoutes, {
    db: deps.db,
    dataDir: config.dataDir,
    maxBytes: config.content.mediaMaxBytes,
    prefix: '/api/media',
  });
  await app.register(proofreadingRoutes, { db: deps.db, prefix: '/api/proofreading' });
  await app.register(calendarRoutes, { db: deps.db, prefix: '/api/calendar' });
  if (deps.queues)
    await app.register(operationsRoutes, {
      redis: deps.redis,
      redisPrefix: config.redis.prefix,
      adminIpAllowlist: config.adminIpAllowlist,
      queues: deps.queues,
    });
  const metricsContext = {
    db: deps.db,
    cache: new SummaryCache(deps.redis, config.redis.prefix),
    ...(deps.queues
      ? {
          enqueueBackfill: async (id: string) => {
            const queue = deps.queues?.metrics;
            if (queue) await enqueueBackfill(queue, id);
          },
        }
      : {}),
  };
  await app.register(metricsRoutes, { ...metricsContext, prefix: '/api' });
  await app.register(portalMetricsRoutes, { ...metricsContext, prefix: '/portal/api' });
  await app.register(alertRoutes, {
    db: deps.db,
    keyring: deps.keyring,
    publicUrl: config.publicUrl,
    trigger: deps.alertTrigger,
    prefix: '/api/alerts',
  });
  await app.register(campaignRoutes, {
    db: deps.db,
    onChange: (org: string) => metricsContext.cache.invalidate(org),
    prefix: '/api/orgs',
  });
  await app.register(portalCampaignRoutes, { db: deps.db, prefix: '/portal/api' });
  await app.register(portalAccountRoutes, { db: deps.db, prefix: '/portal/api' });
  const reports = {
    db: deps.db,
    dataDir: config.dataDir,
    ...(deps.queues?.reports ? { enqueue: reportEnqueuer(deps.queues.reports) } : {}),
  };
  await app.register(reportRoutes, { ...reports, prefix: '/api/orgs' });
  await app.register(portalReportRoutes, { ...reports, prefix: '/portal/api' });
  return app;
}

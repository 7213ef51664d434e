import { buildApp, platformClientsFor } from '../api/app.js';
import { listen } from '../api/server.js';
import { createDemoSandbox, sandboxWechatApps, sandboxWeiboAccounts } from '../core/accounts/sandbox.js';
import type { Config } from '../core/config/config.js';
import { openDatabase } from '../core/db/connect.js';
import { migrateToLatest, pendingMigrations } from '../core/db/migrate.js';
import { StartupError } from '../core/errors.js';
import { countUsers } from '../core/identity/users.repository.js';
import { createSuperadmin, generateInitialPassword } from '../core/identity/users.service.js';
import type { Logger } from '../core/logger.js';
import { metricsCacheInvalidator } from '../core/metrics/cache.js';
import { redisMetrics } from '../core/observability/metrics.js';
import { defaultWorkerId } from '../core/publishing/publisher.js';
import { connectRedis } from '../core/redis/redis.js';
import { loadKeyring } from '../core/secrets/keyring.js';
import { startEmulator } from '../integrations/emulator/emulator.app.js';
import { CHROMIUM_INSTALL_HINT, findChromium } from '../integrations/pdf/chromium.js';
import { PdfRenderer } from '../integrations/pdf/pdf-renderer.js';
import { alertTrigger } from '../workers/alerts.worker.js';
import { JOBS } from '../workers/jobs.js';
import {
  createProcessors,
  restoreMissingSchedulers,
  startWorkerPool,
  upsertSchedulers,
} from '../workers/main.js';
import { bullmqPublishQueue } from '../workers/publish-queue.js';
import { closeQueues, createQueues } from '../workers/queues.js';
import { reportEnqueuer } from '../workers/reports.worker.js';

export const ROLES = ['api', 'worker', 'all'] as const;
export type Role = (typeof ROLES)[number];

export interface RunningService {
  /** The address the API listens on, when the role includes the API. */
  address: string | null;
  /** On a brand-new embedded database: the demo superadmin and its one-time password, to print once. */
  demoLogin: { username: string; password: string } | null;
  /** The in-process emulator serving sandbox (沙箱) accounts, when there are any. */
  sandboxUrl: string | null;
  /** Stops in order: HTTP intake, workers (bounded), queues, Redis, database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  role: Role;
  config: Config;
  logger: Logger;
  /** For tests: where to look for a running Redis when REDIS_URL is unset. */
  localRedisUrl?: string;
}

/**
 * Brings the service up for a role. If any step fails, what was already started is stopped again
 * before the error propagates, so a failed start leaves nothing running (no private redis-server).
 */
export async function startService({
  role,
  config,
  logger,
  localRedisUrl,
}: StartOptions): Promise<RunningService> {
  const stack: Array<{ name: string; stop: () => Promise<unknown> }> = [];
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      for (const step of stack.reverse()) {
        try {
          await step.stop();
        } catch (err) {
          logger.error({ err, step: step.name }, 'error while stopping');
        }
      }
    })();
    return stopping;
  };

  try {
    const database = await openDatabase(config, logger);
    stack.push({ name: 'database', stop: () => database.close() });
    if (config.database.autoMigrate) {
      const { done } = await migrateToLatest(database.db);
      if (done.length > 0) logger.info({ migrations: done }, 'migrations applied');
    } else {
      const pending = await pendingMigrations(database.db);
      if (pending.length > 0) {
        throw new StartupError(
          `The database has ${pending.length} pending migration(s): ${pending.join(', ')}`,
          'Run `npm run migrate` (or set AUTO_MIGRATE=true) and start again.',
        );
      }
    }

    const keyring = await loadKeyring(config, logger);
    const redis = await connectRedis(config, logger, localRedisUrl ? { localUrl: localRedisUrl } : {});
    stack.push({ name: 'redis', stop: () => redis.close() });

    const queues = createQueues(redis.client, config.redis.prefix, logger);
    stack.push({ name: 'queues', stop: () => closeQueues(queues) });

    let address: string | null = null;
    let demoLogin: RunningService['demoLogin'] = null;
    let sandboxUrl: string | null = null;
    const identity = { config, db: database.db, redis: redis.client, keyring };
    if (role !== 'worker') {
      if (database.kind === 'embedded' && (await countUsers(database.db)) === 0) {
        await createDemoSandbox({ db: database.db, keyring, verifiers: {} });
        // The demo start must be usable at once; the password is shown once and must be changed.
        const password = generateInitialPassword('admin');
        await createSuperadmin(
          identity,
          { username: 'admin', displayName: '演示超级管理员', password, mustChangePassword: true },
          { ip: null, userAgent: null, requestId: null },
        );
        demoLogin = { username: 'admin', password };
      }
    }

    // Sandbox accounts talk to an emulator in this process, rebuilt from the database at each start.
    const sandboxApps = await sandboxWechatApps(database.db, keyring);
    const sandboxWeibo = await sandboxWeiboAccounts(database.db, keyring);
    if (sandboxApps.length + sandboxWeibo.length > 0) {
      const emulator = await startEmulator();
      for (const a of sandboxApps) emulator.state.addWechatApp(a);
      for (const w of sandboxWeibo) {
        emulator.weibo.users.set(w.uid, {
          uid: w.uid,
          screenName: w.screenName,
          followers: 12_000,
          statuses: 0,
        });
        emulator.weibo.tokens.set(w.token, { uid: w.uid, expiresAt: Date.now() + 5 * 365 * 86_400_000 });
      }
      stack.push({ name: 'sandbox emulator', stop: () => emulator.close() });
      sandboxUrl = emulator.url;
    }
    const publishQueue = bullmqPublishQueue(queues.publish);

    if (role !== 'api') {
      const platforms = platformClientsFor(config, redis.client, database.db, keyring, sandboxUrl);
      const pub = config.publishing;
      const publisher = {
        metrics: redisMetrics(redis.client, config.redis.prefix),
        dataDir: config.dataDir,
        platformFor: platforms.platformFor,
        workerId: defaultWorkerId(),
        leaseMs: pub.leaseMs,
        maxAttempts: pub.maxAttempts,
        retryBaseMs: pub.retryBaseMs,
        weiboRip: pub.weiboRip,
      };
      const alerts = {
        db: database.db,
        keyring,
        publicUrl: config.publicUrl,
        trigger: alertTrigger(queues.alerts),
      };
      // One warm Chromium per worker process, launched by the first report and kept between reports.
      const chromium = await findChromium(config.chromiumPath, config.systemPath);
      if (!chromium)
        logger.warn(
          { hint: CHROMIUM_INSTALL_HINT },
          'no Chromium found: monthly reports will fail until one is installed',
        );
      const printer = new PdfRenderer({
        executablePath: chromium,
        poolSize: config.reports.pagePoolSize,
        pageTimeoutMs: config.reports.pageTimeoutMs,
        recycleAfter: config.reports.browserRecycleAfter,
        logger,
      });
      stack.push({ name: 'pdf renderer', stop: () => printer.close() });
      const pool = startWorkerPool(
        JOBS,
        createProcessors({
          db: database.db,
          auditRetentionDays: config.auditRetentionDays,
          publisher,
          reconciler: { ...publisher, queue: publishQueue },
          alerts,
          accounts: { db: database.db, keyring, verifiers: platforms.verifiers },
          metrics: {
            db: database.db,
            platformFor: platforms.platformFor,
            logger,
            queue: queues.metrics,
            onWrite: metricsCacheInvalidator(redis.client, config.redis.prefix),
          },
          reports: {
            db: database.db,
            dataDir: config.dataDir,
            enqueue: reportEnqueuer(queues.reports),
            printer,
            alerts,
            maxAttempts: config.reports.maxAttempts,
          },
        }),
        {
          connection: redis.client,
          prefix: config.redis.prefix,
          logger,
          concurrency: {
            publish: pub.concurrency,
            alerts: 4,
            metrics: config.metrics.concurrency,
            reports: 1,
          },
        },
      );
      stack.push({ name: 'workers', stop: () => pool.close(config.shutdownTimeoutMs) });
      const schedules = {
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        reconcileIntervalMs: pub.reconcileIntervalMs,
        metricsDailyAt: config.metrics.dailyAt,
      };
      await upsertSchedulers(queues, schedules);
      // Redis may lose its keys (restart without persistence, FLUSHALL): put the schedulers back, so
      // the reconciler comes back and re-enqueues every scheduled item from PostgreSQL.
      const watchdog = setInterval(
        () => {
          restoreMissingSchedulers(queues, schedules)
            .then(async (restored) => {
              if (restored.length === 0) return;
              logger.warn({ restored }, 'job schedulers were missing from Redis; recreated');
              await publisher.metrics?.repair('scheduler_restored', restored.length);
            })
            .catch((err) => logger.warn({ err: String(err) }, 'job scheduler check failed'));
        },
        Math.min(pub.reconcileIntervalMs, 30_000),
      );
      watchdog.unref();
      stack.push({ name: 'scheduler watchdog', stop: async () => clearInterval(watchdog) });
    }

    if (role !== 'worker') {
      const app = await buildApp({
        ...identity,
        logger,
        sandboxBase: sandboxUrl,
        publishQueue,
        alertTrigger: alertTrigger(queues.alerts),
        queues,
      });
      // Closing Fastify stops accepting connections and waits for in-flight requests.
      stack.push({ name: 'http', stop: () => app.close() });
      address = await listen(app, config);
    }
    logger.info({ role, database: database.kind, redis: redis.source, address }, 'service started');
    return { address, demoLogin, sandboxUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

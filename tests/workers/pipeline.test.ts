import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startService } from '../../bin/service.js';
import { HEARTBEAT_NAME } from '../../core/health/readiness.js';
import { latestHeartbeat } from '../../core/heartbeat/heartbeat.repository.js';
import { SCHEDULERS } from '../../workers/jobs.js';
import { restoreMissingSchedulers, upsertSchedulers } from '../../workers/main.js';
import { closeQueues, createQueues, enqueue } from '../../workers/queues.js';
import { clearPrefix, createMigratedDatabase, silentLogger, testConfig } from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

describe('heartbeat pipeline (real Postgres + Redis)', () => {
  const prefix = `t-pipeline-${process.pid}`;
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let service: RunningService;
  let redis: Redis;

  beforeAll(async () => {
    database = await createMigratedDatabase();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    const config = testConfig({
      DATABASE_URL: database.url,
      HEARTBEAT_INTERVAL_MS: '1000',
      REDIS_PREFIX: prefix,
    });
    service = await startService({ role: 'all', config, logger: silentLogger });
  });
  afterAll(async () => {
    await service?.stop();
    await clearPrefix(redis, prefix);
    await redis.quit();
    await database.drop();
  });

  it('a scheduled heartbeat goes through Redis and a worker into Postgres, and /readyz turns 200', async () => {
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(`${service.address}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    const beat = await latestHeartbeat(database.db, HEARTBEAT_NAME);
    expect(beat?.jobId).toMatch(/^repeat:/);
    expect(beat?.ageMs).toBeLessThan(5000);
  });

  it('keeps beating on schedule', async () => {
    const first = await latestHeartbeat(database.db, HEARTBEAT_NAME);
    await new Promise((r) => setTimeout(r, 2500));
    const later = await latestHeartbeat(database.db, HEARTBEAT_NAME);
    expect(later?.beatAt.getTime()).toBeGreaterThan(first?.beatAt.getTime() ?? Number.POSITIVE_INFINITY);
  });

  it('upserting the schedulers again (a second process starting) leaves one of each', async () => {
    const queues = createQueues(redis, prefix, silentLogger);
    try {
      await upsertSchedulers(queues, { heartbeatIntervalMs: 1000, reconcileIntervalMs: 60_000 });
      await upsertSchedulers(queues, { heartbeatIntervalMs: 1000, reconcileIntervalMs: 60_000 });
      const schedulers = [
        ...(await queues.maintenance.getJobSchedulers()),
        ...(await queues.metrics.getJobSchedulers()),
        ...(await queues.reports.getJobSchedulers()),
      ];
      expect(schedulers.map((s) => s.key).sort()).toEqual(SCHEDULERS.map((s) => s.id).sort());
      expect(schedulers.find((s) => s.key === 'metrics-daily')).toMatchObject({
        pattern: '30 8 * * *',
        tz: 'Asia/Shanghai',
      });
      expect(schedulers.find((s) => s.key === 'reports-monthly')).toMatchObject({
        pattern: '0 6 1 * *',
        tz: 'Asia/Shanghai',
      });
      expect(schedulers.find((s) => s.key === 'audit-purge-daily')).toMatchObject({
        pattern: '30 3 * * *',
        tz: 'Asia/Shanghai',
      });
    } finally {
      await closeQueues(queues);
    }
  });

  it('job schedulers lost with Redis (FLUSHALL) are restored; present ones are left alone', async () => {
    const own = `${prefix}-restore`;
    const queues = createQueues(redis, own, silentLogger);
    const settings = { heartbeatIntervalMs: 1000, reconcileIntervalMs: 60_000 };
    try {
      await upsertSchedulers(queues, settings);
      expect(await restoreMissingSchedulers(queues, settings)).toEqual([]);
      const before = await queues.maintenance.getJobScheduler('audit-purge-daily');
      await queues.maintenance.removeJobScheduler('reconcile');
      expect(await queues.maintenance.getJobScheduler('reconcile')).toBeUndefined();
      expect(await restoreMissingSchedulers(queues, settings)).toEqual(['reconcile']);
      expect(await queues.maintenance.getJobScheduler('reconcile')).toMatchObject({ every: 60_000 });
      // The others were left alone: the same next run as before.
      expect((await queues.maintenance.getJobScheduler('audit-purge-daily'))?.next).toBe(before?.next);
      // Every key gone, as after FLUSHALL: all come back.
      await clearPrefix(redis, own);
      expect((await restoreMissingSchedulers(queues, settings)).sort()).toEqual(
        SCHEDULERS.map((s) => s.id).sort(),
      );
    } finally {
      await closeQueues(queues);
      await clearPrefix(redis, own);
    }
  });

  it('enqueueing the same work twice leaves one job', async () => {
    const queues = createQueues(redis, `${prefix}-paused`, silentLogger);
    const queue = new Queue('maintenance', { connection: redis, prefix: `${prefix}-paused` });
    try {
      const at = new Date();
      const a = await enqueue(queues, 'heartbeat', { source: 'manual' }, at);
      const b = await enqueue(queues, 'heartbeat', { source: 'manual' }, at);
      expect(b).toBe(a);
      expect((await queue.getJobCounts('waiting')).waiting).toBe(1);
    } finally {
      await queue.close();
      await closeQueues(queues);
      await clearPrefix(redis, `${prefix}-paused`);
    }
  });
});

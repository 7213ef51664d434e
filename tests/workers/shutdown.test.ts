import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerPool } from '../../workers/main.js';
import { clearPrefix, silentLogger } from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

/** Shutdown while a job runs: the job either completes before we exit or is retried later, never lost. */
describe('worker shutdown during a running job (real Redis)', () => {
  const prefix = `t-shutdown-${process.pid}`;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await redis.quit();
  });

  async function waitForState(job: Job, wanted: string, timeoutMs: number): Promise<string> {
    const end = Date.now() + timeoutMs;
    let state = await job.getState();
    while (state !== wanted && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      state = await job.getState();
    }
    return state;
  }

  // One queue per test: BullMQ throttles stalled checks per queue with a key that outlives a worker.
  function slowQueue(name: string) {
    return { registry: { slow: { queue: name } }, queue: new Queue(name, { connection: redis, prefix }) };
  }

  it('lets a running job finish before closing', async () => {
    const { registry, queue } = slowQueue('graceful');
    let finished = 0;
    const connection = redis.duplicate();
    const pool = startWorkerPool(
      registry,
      {
        slow: async () => {
          await new Promise((r) => setTimeout(r, 800));
          finished += 1;
          return 'done';
        },
      },
      { connection, prefix, logger: silentLogger },
    );
    const job = await queue.add('slow', {}, { jobId: 'graceful-1' });
    expect(await waitForState(job, 'active', 5000)).toBe('active');
    const { abandoned } = await pool.close(10_000);
    expect(abandoned).toBe(0);
    expect(finished).toBe(1);
    expect(await job.getState()).toBe('completed');
    connection.disconnect();
    await queue.close();
  });

  it('abandons a job that outlives the deadline, and the next worker retries it', async () => {
    // The first worker's process "dies" at the deadline: its processor never returns and its
    // connection goes away, as when the process exits after the shutdown timeout.
    const { registry, queue } = slowQueue('deadline');
    const dying = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    dying.on('error', () => undefined);
    const lock = { lockDurationMs: 1000, stalledIntervalMs: 500 };
    const first = startWorkerPool(
      registry,
      { slow: () => new Promise(() => undefined) },
      {
        connection: dying,
        prefix,
        logger: silentLogger,
        ...lock,
      },
    );
    const job = await queue.add('slow', {}, { jobId: 'deadline-1', attempts: 3 });
    expect(await waitForState(job, 'active', 5000)).toBe('active');
    const { abandoned } = await first.close(300);
    expect(abandoned).toBe(1);
    dying.disconnect();

    const fresh = redis.duplicate();
    const second = startWorkerPool(
      registry,
      { slow: async () => 'retried' },
      {
        connection: fresh,
        prefix,
        logger: silentLogger,
        ...lock,
      },
    );
    try {
      expect(await waitForState(job, 'completed', 15_000)).toBe('completed');
      expect((await queue.getJob('deadline-1'))?.returnvalue).toBe('retried');
    } finally {
      await second.close(5000);
      fresh.disconnect();
      await queue.close();
    }
  });
});

import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { testServiceUrls } from './urls.js';

/** Fails the run at once, with a hint, when the real Postgres or Redis the suite needs is not there. */
export default async function setup(_project: TestProject): Promise<void> {
  const { databaseUrl, redisUrl } = testServiceUrls();
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(
      `The tests need PostgreSQL at ${databaseUrl} (${(err as Error).message}). Start it or set TEST_DATABASE_URL.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `The tests need Redis at ${redisUrl} (${(err as Error).message}). Start it or set TEST_REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}

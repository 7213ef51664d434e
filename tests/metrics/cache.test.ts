import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsCacheInvalidator, SummaryCache } from '../../core/metrics/cache.js';
import { clearPrefix, uniqueName } from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

describe('summary cache (versions in Redis)', () => {
  let redis: Redis;
  const prefix = uniqueName('t-cache').toLowerCase();
  let now = 1_000_000;
  let computed = 0;
  const compute = async () => {
    computed++;
    await new Promise((r) => setTimeout(r, 20));
    return computed;
  };

  beforeAll(() => {
    redis = new Redis(testServiceUrls().redisUrl);
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await redis.quit();
  });

  it('computes once for concurrent callers, then serves the cached value', async () => {
    const cache = new SummaryCache(redis, prefix, 10, () => now);
    const values = await Promise.all(Array.from({ length: 10 }, () => cache.get('org1', 'kpi', compute)));
    expect(values).toEqual(Array(10).fill(1));
    expect(await cache.get('org1', 'kpi', compute)).toBe(1);
    expect(computed).toBe(1);
  });

  it('a change a person made is seen at once; new figures from the worker within a minute', async () => {
    const api = new SummaryCache(redis, prefix, 10, () => now);
    const first = await api.get('org2', 'kpi', compute);
    // A target changed (config): the next read computes again.
    await api.invalidate('org2');
    const second = await api.get('org2', 'kpi', compute);
    expect(second).toBe(first + 1);
    // The worker wrote figures (data): the cached value is served while a fresh one is computed.
    await metricsCacheInvalidator(redis, prefix)('org2');
    expect(await api.get('org2', 'kpi', compute)).toBe(second);
    await new Promise((r) => setTimeout(r, 50));
    expect(await api.get('org2', 'kpi', compute)).toBe(second + 1);
    // Older than a minute and stale: computed before answering.
    await metricsCacheInvalidator(redis, prefix)('org2');
    now += 61_000;
    expect(await api.get('org2', 'kpi', compute)).toBe(second + 2);
  });
});

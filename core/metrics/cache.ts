import type { Redis } from 'ioredis';

/**
 * Summaries (KPI, metrics series) are cached per organisation until its figures or targets change.
 * A version counter per organisation lives in Redis, so a write in the worker process invalidates the
 * API process's cache; each API process keeps the computed values in memory (bounded, LRU).
 */
const versionKey = (prefix: string, organisationId: string) => `${prefix}:metrics-version:${organisationId}`;

/** Marks an organisation's summaries stale (after new figures, imports, target or campaign changes). */
export function metricsCacheInvalidator(redis: Redis, prefix: string) {
  return async (organisationId: string): Promise<void> => {
    await redis.incr(versionKey(prefix, organisationId));
  };
}

export class SummaryCache {
  private readonly entries = new Map<string, { version: string; value: unknown }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxEntries = 2000,
  ) {}

  /** The cached value for (organisation, key) at the current version, or `compute`'s, stored. */
  async get<T>(organisationId: string, key: string, compute: () => Promise<T>): Promise<T> {
    const version = (await this.redis.get(versionKey(this.prefix, organisationId))) ?? '0';
    const id = `${organisationId}|${key}`;
    const hit = this.entries.get(id);
    if (hit && hit.version === version) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit.value as T;
    }
    const value = await compute();
    this.entries.set(id, { version, value });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }

  invalidate(organisationId: string): Promise<void> {
    return metricsCacheInvalidator(this.redis, this.prefix)(organisationId);
  }
}

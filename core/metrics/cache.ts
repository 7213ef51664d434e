import type { Redis } from 'ioredis';

/**
 * Summaries (KPI, metrics series) are cached per organisation until its figures or targets change.
 * Two version counters per organisation live in Redis, so a write in the worker process reaches the
 * API process's cache:
 * - `config`: targets, campaigns, deliverables, imports — what a person just changed is seen at once;
 * - `data`: figures written by ingestion and backfills — a summary up to DATA_STALE_MS old is still
 *   served while a fresh one is computed in the background, so the morning ingestion (thousands of
 *   writes) never turns every dashboard request into a full computation.
 * Concurrent requests for a value being computed share that computation.
 */
export type ChangeKind = 'config' | 'data';

const DATA_STALE_MS = 60_000;
const key = (prefix: string, organisationId: string, kind: ChangeKind) =>
  `${prefix}:metrics-version:${kind}:${organisationId}`;

/** Marks an organisation's summaries stale. */
export function metricsCacheInvalidator(redis: Redis, prefix: string, kind: ChangeKind = 'data') {
  return async (organisationId: string): Promise<void> => {
    await redis.incr(key(prefix, organisationId, kind));
  };
}

interface Entry {
  config: string;
  data: string;
  at: number;
  value: unknown;
}

export class SummaryCache {
  private readonly entries = new Map<string, Entry>();
  private readonly computing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxEntries = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value for (organisation, key), or `compute`'s (shared by concurrent callers). */
  async get<T>(organisationId: string, name: string, compute: () => Promise<T>): Promise<T> {
    const [config = null, data = null] = await this.redis.mget(
      key(this.prefix, organisationId, 'config'),
      key(this.prefix, organisationId, 'data'),
    );
    const versions = { config: config ?? '0', data: data ?? '0' };
    const id = `${organisationId}|${name}`;
    const hit = this.entries.get(id);
    if (hit && hit.config === versions.config) {
      if (hit.data === versions.data) return this.touch(id, hit);
      if (this.now() - hit.at < DATA_STALE_MS) {
        void this.refresh(id, versions, compute).catch(() => undefined);
        return this.touch(id, hit);
      }
    }
    return this.refresh(id, versions, compute);
  }

  invalidate(organisationId: string, kind: ChangeKind = 'config'): Promise<void> {
    return metricsCacheInvalidator(this.redis, this.prefix, kind)(organisationId);
  }

  private touch<T>(id: string, entry: Entry): T {
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.value as T;
  }

  private refresh<T>(
    id: string,
    versions: { config: string; data: string },
    compute: () => Promise<T>,
  ): Promise<T> {
    const flight = `${id}|${versions.config}|${versions.data}`;
    const running = this.computing.get(flight);
    if (running) return running as Promise<T>;
    const started = this.now();
    const promise = compute()
      .then((value) => {
        this.entries.set(id, { ...versions, at: started, value });
        if (this.entries.size > this.maxEntries)
          this.entries.delete(this.entries.keys().next().value as string);
        return value;
      })
      .finally(() => this.computing.delete(flight));
    this.computing.set(flight, promise);
    return promise;
  }
}

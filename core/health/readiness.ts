import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { errorMessage } from '../errors.js';
import { latestHeartbeat } from '../heartbeat/heartbeat.repository.js';

export const HEARTBEAT_NAME = 'maintenance';

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface HeartbeatCheck extends CheckResult {
  /** Age of the last heartbeat in seconds, null when none was ever recorded. */
  ageSeconds: number | null;
}

export interface Readiness {
  ready: boolean;
  failing: string[];
  checks: { database: CheckResult; redis: CheckResult; heartbeat: HeartbeatCheck };
}

export interface ReadinessDeps {
  db: Db;
  pingRedis: () => Promise<unknown>;
  heartbeatIntervalMs: number;
  timeoutMs?: number;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function timed<T>(
  work: () => Promise<T>,
  ms: number,
  what: string,
): Promise<CheckResult & { value?: T }> {
  const started = performance.now();
  try {
    const value = await withTimeout(work(), ms, what);
    return { ok: true, latencyMs: Math.round(performance.now() - started), value };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: errorMessage(err) };
  }
}

/**
 * Database and Redis answer, and the queue pipeline is alive: a heartbeat job went through Redis and a
 * worker into Postgres within three heartbeat intervals (plus slack for a slow first start).
 */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 2000;
  const [database, redis, beat] = await Promise.all([
    timed(() => sql`select 1`.execute(deps.db), timeoutMs, 'database'),
    timed(deps.pingRedis, timeoutMs, 'Redis'),
    timed(() => latestHeartbeat(deps.db, HEARTBEAT_NAME), timeoutMs, 'database'),
  ]);
  const maxAgeMs = deps.heartbeatIntervalMs * 3 + 5000;
  let heartbeat: HeartbeatCheck;
  if (!beat.ok) {
    heartbeat = { ok: false, latencyMs: beat.latencyMs, ageSeconds: null, error: beat.error ?? 'unknown' };
  } else if (!beat.value) {
    heartbeat = {
      ok: false,
      latencyMs: beat.latencyMs,
      ageSeconds: null,
      error: 'no heartbeat recorded yet: is a worker running?',
    };
  } else {
    const ageSeconds = Math.round(beat.value.ageMs / 100) / 10;
    heartbeat =
      beat.value.ageMs <= maxAgeMs
        ? { ok: true, latencyMs: beat.latencyMs, ageSeconds }
        : {
            ok: false,
            latencyMs: beat.latencyMs,
            ageSeconds,
            error: `last heartbeat ${ageSeconds} s ago (limit ${maxAgeMs / 1000} s): are the workers running?`,
          };
  }
  const checks = {
    database: {
      ok: database.ok,
      latencyMs: database.latencyMs,
      ...(database.error ? { error: database.error } : {}),
    },
    redis: { ok: redis.ok, latencyMs: redis.latencyMs, ...(redis.error ? { error: redis.error } : {}) },
    heartbeat,
  };
  const failing = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);
  return { ready: failing.length === 0, failing, checks };
}

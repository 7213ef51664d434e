import type { Redis } from 'ioredis';

/**
 * Publishing metrics shared by every process: counters and histogram buckets live in Redis hashes
 * (HINCRBY), so `/metrics` on the API process reports what the workers did, whichever process that
 * was. Queue depths are read from the queues at scrape time. Rendered in the Prometheus text format.
 */
export const LATENESS_BUCKETS_S = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

export interface PublishMetrics {
  /** Seconds between an item's scheduled time and the moment a worker claimed it. */
  lateness(seconds: number): Promise<void>;
  outcome(kind: string): Promise<void>;
  repair(kind: string, by?: number): Promise<void>;
}

const keys = (prefix: string) => ({
  lateness: `${prefix}:metrics:publish_lateness`,
  outcomes: `${prefix}:metrics:publish_outcomes`,
  repairs: `${prefix}:metrics:reconciler_repairs`,
});

export function redisMetrics(redis: Redis, prefix: string): PublishMetrics {
  const k = keys(prefix);
  return {
    async lateness(seconds) {
      const m = redis.multi();
      for (const b of LATENESS_BUCKETS_S) if (seconds <= b) m.hincrby(k.lateness, `le_${b}`, 1);
      m.hincrby(k.lateness, 'count', 1);
      m.hincrbyfloat(k.lateness, 'sum', Math.max(0, seconds));
      await m.exec();
    },
    async outcome(kind) {
      await redis.hincrby(k.outcomes, kind, 1);
    },
    async repair(kind, by = 1) {
      if (by > 0) await redis.hincrby(k.repairs, kind, by);
    },
  };
}

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The shared publishing metrics and the queue depths, in the Prometheus text exposition format. */
export async function renderPublishMetrics(
  redis: Redis,
  prefix: string,
  queueCounts: Record<string, Record<string, number>>,
): Promise<string> {
  const k = keys(prefix);
  const [lateness, outcomes, repairs] = await Promise.all([
    redis.hgetall(k.lateness),
    redis.hgetall(k.outcomes),
    redis.hgetall(k.repairs),
  ]);
  const lines: string[] = [];
  lines.push('# HELP yunying_queue_jobs Jobs in each queue by state.', '# TYPE yunying_queue_jobs gauge');
  for (const [queue, counts] of Object.entries(queueCounts))
    for (const [state, n] of Object.entries(counts))
      lines.push(`yunying_queue_jobs{queue="${label(queue)}",state="${label(state)}"} ${n}`);
  lines.push(
    '# HELP yunying_publish_lateness_seconds Delay between the scheduled time and the start of publishing.',
    '# TYPE yunying_publish_lateness_seconds histogram',
  );
  for (const b of LATENESS_BUCKETS_S)
    lines.push(`yunying_publish_lateness_seconds_bucket{le="${b}"} ${Number(lateness[`le_${b}`] ?? 0)}`);
  lines.push(`yunying_publish_lateness_seconds_bucket{le="+Inf"} ${Number(lateness.count ?? 0)}`);
  lines.push(`yunying_publish_lateness_seconds_sum ${Number(lateness.sum ?? 0)}`);
  lines.push(`yunying_publish_lateness_seconds_count ${Number(lateness.count ?? 0)}`);
  lines.push(
    '# HELP yunying_publish_outcomes_total Publish attempts by how they ended.',
    '# TYPE yunying_publish_outcomes_total counter',
  );
  for (const [kind, n] of Object.entries(outcomes))
    lines.push(`yunying_publish_outcomes_total{kind="${label(kind)}"} ${Number(n)}`);
  lines.push(
    '# HELP yunying_reconciler_repairs_total What the reconciler repaired.',
    '# TYPE yunying_reconciler_repairs_total counter',
  );
  for (const [kind, n] of Object.entries(repairs))
    lines.push(`yunying_reconciler_repairs_total{kind="${label(kind)}"} ${Number(n)}`);
  return `${lines.join('\n')}\n`;
}

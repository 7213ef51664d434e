import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { JOBS, type JobName, type JobPayloads, QUEUE_NAMES, type QueueName } from './jobs.js';

export type Queues = Readonly<Record<QueueName, Queue>>;

/** One Queue per registered queue name, sharing the given connection, each with an error listener. */
export function createQueues(connection: Redis, prefix: string, logger: Logger): Queues {
  const entries = QUEUE_NAMES.map((name) => {
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', (err) => logger.error({ queue: name, err: err.message }, 'queue error'));
    return [name, queue] as const;
  });
  return Object.freeze(Object.fromEntries(entries) as Record<QueueName, Queue>);
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

/** Adds a job under its deterministic id: adding the same work twice leaves one job. */
export async function enqueue<N extends JobName>(
  queues: Queues,
  name: N,
  payload: JobPayloads[N],
  at: Date = new Date(),
): Promise<string> {
  const def = JOBS[name];
  const id = def.jobId(payload, at);
  await queues[def.queue].add(name, payload, {
    jobId: id,
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
  return id;
}

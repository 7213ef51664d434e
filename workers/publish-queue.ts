import type { Queue } from 'bullmq';
import type { PublishQueue } from '../core/publishing/publish-queue.js';
import { JOBS } from './jobs.js';

const LIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/** The publishing queue port on BullMQ: delayed jobs with deterministic ids. */
export function bullmqPublishQueue(queue: Queue): PublishQueue {
  const idOf = (contentId: string, revision: number) =>
    JOBS.publish.jobId({ contentId, revision }, new Date());
  const add = (contentId: string, revision: number, at: Date) =>
    queue.add(
      'publish',
      { contentId, revision },
      {
        jobId: idOf(contentId, revision),
        delay: Math.max(0, at.getTime() - Date.now()),
        // Our own attempts are counted in Postgres; these cover a worker error (database away).
        attempts: 5,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    );
  /** The job's state, or null when there is none; a finished job is removed so it can be added again. */
  const live = async (contentId: string, revision: number) => {
    const job = await queue.getJob(idOf(contentId, revision));
    if (!job) return null;
    const state = await job.getState();
    if (LIVE.has(state)) return { job, state };
    await job.remove().catch(() => undefined);
    return null;
  };
  return {
    async ensure(contentId, revision, at) {
      if (await live(contentId, revision)) return 'exists';
      await add(contentId, revision, at);
      return 'added';
    },
    async replace(contentId, revision, at) {
      const current = await live(contentId, revision);
      if (current?.state === 'active') return;
      if (current) await current.job.remove();
      await add(contentId, revision, at);
    },
    async promote(contentId, revision) {
      const current = await live(contentId, revision);
      if (current?.state === 'delayed') await current.job.promote().catch(() => undefined);
    },
    async remove(contentId, revision) {
      const current = await live(contentId, revision);
      if (current && current.state !== 'active') await current.job.remove();
    },
  };
}

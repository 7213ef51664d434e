import { DelayedError } from 'bullmq';
import { type PublisherDeps, publishItem } from '../core/publishing/publisher.js';
import { type ReconcilerDeps, reconcile } from '../core/publishing/reconciler.js';
import type { Processor } from './jobs.js';

/**
 * Publishes one item. A retry (transient error, rate limit, busy account) or an early job moves the
 * job back to delayed under the same id, so the item never has two jobs.
 */
export function publishProcessor(deps: PublisherDeps): Processor<'publish'> {
  return async (job, token) => {
    const outcome = await publishItem(deps, job.data.contentId, job.data.revision);
    const delayMs =
      outcome.kind === 'retry' ? outcome.delayMs : outcome.kind === 'skipped' ? outcome.delayMs : undefined;
    if (delayMs !== undefined && token) {
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    }
    return outcome;
  };
}

export function reconcileProcessor(deps: ReconcilerDeps): Processor<'reconcile'> {
  return async () => reconcile(deps);
}

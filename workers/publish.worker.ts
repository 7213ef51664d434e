import { DelayedError } from 'bullmq';
import {
  type AlertsContext,
  channelsWithDueDeliveries,
  raiseSlaAlerts,
} from '../core/alerts/alerts.service.js';
import type { PublishQueue } from '../core/publishing/publish-queue.js';
import { nextDueOfAccount, type PublisherDeps, publishItem } from '../core/publishing/publisher.js';
import { type ReconcilerDeps, reconcile } from '../core/publishing/reconciler.js';
import type { Processor } from './jobs.js';

/**
 * Publishes one item. A retry (transient error, rate limit, busy account) or an early job moves the
 * job back to delayed under the same id, so the item never has two jobs.
 */
export function publishProcessor(deps: PublisherDeps, queue?: PublishQueue): Processor<'publish'> {
  return async (job, token) => {
    const outcome = await publishItem(deps, job.data.contentId, job.data.revision);
    // The account is free again: its next due item need not wait for its busy back-off.
    if (
      queue &&
      !(outcome.kind === 'retry' && outcome.reason === 'account busy') &&
      outcome.kind !== 'skipped'
    ) {
      const next = await nextDueOfAccount(deps.db, job.data.contentId).catch(() => null);
      if (next) await queue.promote(next.id, next.revision).catch(() => undefined);
    }
    const delayMs =
      outcome.kind === 'retry' ? outcome.delayMs : outcome.kind === 'skipped' ? outcome.delayMs : undefined;
    if (delayMs !== undefined && token) {
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    }
    return outcome;
  };
}

/** The minute's repairs: queue, stuck and unconfirmed items, SLA alerts, alert deliveries left waiting. */
export function reconcileProcessor(deps: ReconcilerDeps, alerts: AlertsContext): Processor<'reconcile'> {
  return async () => {
    const report = await reconcile(deps);
    const sla = await raiseSlaAlerts(alerts);
    const channels = await channelsWithDueDeliveries(deps.db);
    if (channels.length) await alerts.trigger?.(channels);
    return { ...report, slaAlerts: sla, channelsTriggered: channels.length };
  };
}

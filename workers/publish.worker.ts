import { DelayedError } from 'bullmq';
import {
  type AlertsContext,
  channelsWithDueDeliveries,
  raiseSlaAlerts,
} from '../core/alerts/alerts.service.js';
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

import { DelayedError, type Queue } from 'bullmq';
import type { AccountsContext } from '../core/accounts/accounts.service.js';
import { type AlertsContext, dispatchChannel } from '../core/alerts/alerts.service.js';
import { checkAllCredentials } from '../core/alerts/credentials-check.js';
import { JOBS, type Processor } from './jobs.js';

/** Asks for a dispatch of each channel (one live job per channel; an existing one will pick the new alerts up). */
export function alertTrigger(queue: Queue): (channelIds: string[]) => Promise<void> {
  return async (channelIds) => {
    for (const channelId of new Set(channelIds)) {
      await queue.add(
        'alerts-dispatch',
        { channelId },
        {
          jobId: JOBS['alerts-dispatch'].jobId({ channelId }, new Date()),
          removeOnComplete: true,
          removeOnFail: { age: 24 * 3600 },
          attempts: 5,
          backoff: { type: 'exponential', delay: 5000 },
        },
      );
    }
  };
}

/** Sends what is due on a channel; waits (same job, delayed) while the robot's budget is used up. */
export function alertsDispatchProcessor(ctx: AlertsContext): Processor<'alerts-dispatch'> {
  return async (job, token) => {
    const result = await dispatchChannel(ctx, job.data.channelId);
    if (result.waitMs > 0 && token) {
      await job.moveToDelayed(Date.now() + result.waitMs, token);
      throw new DelayedError();
    }
    return result;
  };
}

export function credentialsCheckProcessor(
  accounts: AccountsContext,
  alerts: AlertsContext,
): Processor<'credentials-check'> {
  return async () => checkAllCredentials(accounts, alerts);
}

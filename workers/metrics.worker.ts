import { DelayedError, type Queue, UnrecoverableError } from 'bullmq';
import { type AlertsContext, raiseAlert } from '../core/alerts/alerts.service.js';
import { addDays } from '../core/calendar/days.js';
import { errorMessage } from '../core/errors.js';
import {
  dailyPlan,
  dayOf,
  findDataGaps,
  ingest,
  type MetricsDeps,
  runBackfill,
} from '../core/metrics/ingest.js';
import { PlatformError } from '../integrations/platform.js';
import { JOBS, type MetricsIngestPayload, type Processor } from './jobs.js';

const DAY_MS = 86_400_000;

/** Adds an ingestion job under its deterministic id, retried with backoff on transient errors. */
export function enqueueIngest(queue: Queue, payload: MetricsIngestPayload) {
  return queue.add('metrics-ingest', payload, {
    jobId: JOBS['metrics-ingest'].jobId(payload, new Date()),
    attempts: 6,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 20_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
}

export function enqueueBackfill(queue: Queue, backfillId: string) {
  return queue.add(
    'metrics-backfill',
    { backfillId },
    {
      jobId: JOBS['metrics-backfill'].jobId({ backfillId }, new Date()),
      attempts: 5,
      backoff: { type: 'exponential', delay: 60_000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  );
}

/** 08:30 Asia/Shanghai: one job per active account and data set for yesterday. */
export function metricsDailyProcessor(deps: MetricsDeps, queue: Queue): Processor<'metrics-daily'> {
  return async (job) => {
    const now = (deps.now ?? Date.now)();
    const date = job.data.date ?? dayOf(now - DAY_MS);
    const plan = await dailyPlan(deps, date);
    for (const p of plan) await enqueueIngest(queue, p);
    return { date, jobs: plan.length };
  };
}

/**
 * One account, data set and day. A rate limit waits the time the platform asks (the same job, delayed);
 * a refusal a person must fix (credentials, permissions, bad range) fails at once with its reason;
 * anything else is retried with backoff.
 */
export function metricsIngestProcessor(deps: MetricsDeps): Processor<'metrics-ingest'> {
  // Inside a job a rate limit is not slept out: the job goes back to the delayed set for that long.
  const waitAsJob: MetricsDeps = {
    ...deps,
    sleep: async (ms) => {
      throw new RateLimitedSignal(ms);
    },
  };
  return async (job, token) => {
    const { accountId, dataset, date } = job.data;
    try {
      return await ingest(waitAsJob, accountId, dataset, date);
    } catch (err) {
      if (err instanceof RateLimitedSignal && token) {
        await job.moveToDelayed(Date.now() + err.waitMs, token);
        throw new DelayedError();
      }
      if (err instanceof PlatformError && ['reauth', 'not_permitted', 'invalid_content'].includes(err.kind))
        throw new UnrecoverableError(err.detail.editorMessage ?? err.message);
      throw err;
    }
  };
}

/** Thrown in place of sleeping: a job waits for a rate limit by going back to the delayed set. */
class RateLimitedSignal extends Error {
  constructor(readonly waitMs: number) {
    super(`rate limited for ${waitMs} ms`);
  }
}

export function metricsBackfillProcessor(deps: MetricsDeps): Processor<'metrics-backfill'> {
  return async (job) => {
    let last = -1;
    const view = await runBackfill(deps, job.data.backfillId, (v) => {
      if (v.percent !== last) {
        last = v.percent;
        void job.updateProgress(v.percent).catch(() => undefined);
      }
    });
    return view ?? { skipped: 'another runner holds this backfill' };
  };
}

/** Noon Asia/Shanghai: an alert per account without data for more than 2 days (once per gap). */
export function metricsGapCheckProcessor(
  deps: MetricsDeps,
  alerts: AlertsContext,
): Processor<'metrics-gap-check'> {
  return async () => {
    const now = (deps.now ?? Date.now)();
    const gaps = await findDataGaps(deps.db, now);
    for (const g of gaps) {
      await raiseAlert(alerts, {
        organisationId: g.organisationId,
        kind: 'metrics_gap',
        accountId: g.accountId,
        title: `${g.name}：数据缺失`,
        detail: g.lastDay
          ? `账号「${g.name}」最近的数据停在 ${g.lastDay}，已超过 2 天没有新数据（截至 ${addDays(dayOf(now), -1)}）。请检查授权或发起补采。`
          : `账号「${g.name}」接入已超过 3 天，仍没有任何数据。请检查授权或发起补采。`,
        dedupeKey: `metrics_gap:${g.accountId}:${g.lastDay ?? 'none'}`,
      }).catch((err) =>
        deps.logger.warn({ err: errorMessage(err), account: g.accountId }, 'gap alert failed'),
      );
    }
    return { gaps: gaps.length };
  };
}

import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AccountsContext } from '../core/accounts/accounts.service.js';
import { type AlertsContext, alertOnPublishEvent } from '../core/alerts/alerts.service.js';
import type { Db } from '../core/db/database.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MetricsDeps } from '../core/metrics/ingest.js';
import type { PublisherDeps } from '../core/publishing/publisher.js';
import type { ReconcilerDeps } from '../core/publishing/reconciler.js';
import type { ReportsContext } from '../core/reports/reports.service.js';
import { alertsDispatchProcessor, credentialsCheckProcessor } from './alerts.worker.js';
import {
  assertProcessorsComplete,
  JOBS,
  type Processors,
  SCHEDULERS,
  type ScheduleSettings,
} from './jobs.js';
import { auditPurgeProcessor, heartbeatProcessor } from './maintenance.worker.js';
import {
  metricsBackfillProcessor,
  metricsDailyProcessor,
  metricsGapCheckProcessor,
  metricsIngestProcessor,
} from './metrics.worker.js';
import { publishProcessor, reconcileProcessor } from './publish.worker.js';
import type { Queues } from './queues.js';
import { reportGenerateProcessor, reportsMonthlyProcessor } from './reports.worker.js';

type AnyProcessor = (
  job: Job,
  token: string | undefined,
  signal: AbortSignal | undefined,
) => Promise<unknown>;

export interface WorkerPool {
  workers: Worker[];
  /**
   * Stops taking new jobs and waits up to `timeoutMs` for running ones. Jobs still running then are
   * abandoned with their lock; BullMQ's stalled-job check gives them to the next worker, so none is lost.
   */
  close(timeoutMs: number): Promise<{ abandoned: number }>;
}

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  logger: Logger;
  /** Jobs at once per worker: one number for every queue, or per queue (default 1). */
  concurrency?: number | Partial<Record<string, number>>;
  /** BullMQ lock settings; tests shorten them to see stalled-job recovery quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface ProcessorDeps {
  db: Db;
  auditRetentionDays: number;
  publisher: Omit<PublisherDeps, 'db' | 'notify'>;
  reconciler: Omit<ReconcilerDeps, 'db' | 'notify'>;
  alerts: AlertsContext;
  accounts: AccountsContext;
  metrics: MetricsDeps & { queue: Queue };
  reports: ReportsContext;
}

export function createProcessors(deps: ProcessorDeps): Processors {
  const notify = alertOnPublishEvent(deps.alerts);
  return {
    heartbeat: heartbeatProcessor(deps.db),
    'audit-purge': auditPurgeProcessor(deps.db, deps.auditRetentionDays),
    publish: publishProcessor({ db: deps.db, ...deps.publisher, notify }, deps.reconciler.queue),
    reconcile: reconcileProcessor({ db: deps.db, ...deps.reconciler, notify }, deps.alerts),
    'alerts-dispatch': alertsDispatchProcessor(deps.alerts),
    'credentials-check': credentialsCheckProcessor(deps.accounts, deps.alerts),
    'metrics-daily': metricsDailyProcessor(deps.metrics, deps.metrics.queue),
    'metrics-ingest': metricsIngestProcessor(deps.metrics),
    'metrics-backfill': metricsBackfillProcessor(deps.metrics),
    'metrics-gap-check': metricsGapCheckProcessor(deps.metrics, deps.alerts),
    'report-generate': reportGenerateProcessor(deps.reports),
    'reports-monthly': reportsMonthlyProcessor(deps.reports),
  };
}

/**
 * Starts one Worker per queue that has jobs. Each dispatches by job name; the registry check runs first,
 * so a job without a processor stops start-up instead of failing at 3 a.m.
 */
export function startWorkerPool(
  registry: Readonly<Record<string, { queue: string }>>,
  processors: Readonly<Record<string, AnyProcessor>>,
  options: WorkerOptions,
): WorkerPool {
  assertProcessorsComplete(registry, processors);
  const queueNames = [...new Set(Object.values(registry).map((d) => d.queue))];
  const active = new Map<string, number>();
  const workers = queueNames.map((queueName) => {
    const worker = new Worker(
      queueName,
      async (job, token, signal) => {
        const processor = processors[job.name];
        if (registry[job.name]?.queue !== queueName || !processor) {
          throw new UnrecoverableError(`no processor for job "${job.name}" on queue "${queueName}"`);
        }
        return processor(job, token, signal);
      },
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency:
          typeof options.concurrency === 'number'
            ? options.concurrency
            : (options.concurrency?.[queueName] ?? 1),
        ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
        ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
      },
    );
    const log = options.logger.child({ queue: queueName });
    worker.on('error', (err) => log.error({ err: errorMessage(err) }, 'worker error'));
    worker.on('active', (job) => active.set(`${queueName}/${job.id}`, Date.now()));
    worker.on('completed', (job) => {
      active.delete(`${queueName}/${job.id}`);
      log.debug({ jobId: job.id, job: job.name }, 'job completed');
    });
    worker.on('failed', (job, err) => {
      if (job) active.delete(`${queueName}/${job.id}`);
      log.warn(
        { jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err: err.message },
        'job failed',
      );
    });
    return worker;
  });

  return {
    workers,
    close: async (timeoutMs) => {
      // Stop fetching at once, then give running jobs until the deadline. (Worker.close() caches its
      // first call, so a graceful close cannot be turned into a forced one later: wait here instead.)
      await Promise.all(workers.map((w) => w.pause(true)));
      const deadline = Date.now() + timeoutMs;
      while (active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const abandoned = active.size;
      if (abandoned > 0) {
        options.logger.warn(
          { abandoned, jobs: [...active.keys()] },
          'jobs still running at the shutdown deadline; the next worker will retry them once their lock expires',
        );
      }
      await Promise.all(workers.map((w) => w.close(abandoned > 0)));
      return { abandoned };
    },
  };
}

/** Creates or updates every job scheduler; safe on every start and from every process. */
export async function upsertSchedulers(queues: Queues, settings: ScheduleSettings): Promise<void> {
  for (const s of SCHEDULERS) await upsertScheduler(queues, s, settings);
}

function upsertScheduler(queues: Queues, s: (typeof SCHEDULERS)[number], settings: ScheduleSettings) {
  return queues[JOBS[s.job].queue].upsertJobScheduler(s.id, s.repeat(settings), {
    name: s.job,
    data: s.payload,
    opts: { removeOnComplete: 100, removeOnFail: 500 },
  });
}

/**
 * Recreates job schedulers that Redis no longer holds (a restart without persistence, FLUSHALL) and
 * returns their ids. Present ones are left alone, so their next run is not pushed back. Without this
 * the reconciler, itself a job scheduler, would vanish with the jobs it exists to repair.
 */
export async function restoreMissingSchedulers(
  queues: Queues,
  settings: ScheduleSettings,
): Promise<string[]> {
  const restored: string[] = [];
  for (const s of SCHEDULERS) {
    if (await queues[JOBS[s.job].queue].getJobScheduler(s.id)) continue;
    await upsertScheduler(queues, s, settings);
    restored.push(s.id);
  }
  return restored;
}

import type { Job } from 'bullmq';

/**
 * The one registry of queues, jobs, payloads and job ids. Rules:
 * - a job's payload never changes once shipped: add a new job name (e.g. `x-v2`) instead;
 * - payloads carry ids, never secrets;
 * - job ids are deterministic so that enqueueing the same work twice is a no-op (see `jobId`).
 */

export const QUEUE_NAMES = ['maintenance', 'publish', 'alerts', 'metrics', 'reports'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface HeartbeatPayload {
  /** Who asked: the scheduler, or a person through the CLI. */
  source: 'scheduler' | 'manual';
}

export interface AuditPurgePayload {
  source: 'scheduler' | 'manual';
}

export interface PublishPayload {
  contentId: string;
  /** The revision that was approved and scheduled; a newer revision is a different job. */
  revision: number;
}

export interface ReconcilePayload {
  source: 'scheduler' | 'manual';
}

export interface AlertsDispatchPayload {
  channelId: string;
}

export interface CredentialsCheckPayload {
  source: 'scheduler' | 'manual';
}

export interface MetricsDailyPayload {
  source: 'scheduler' | 'manual';
  /** The day to pull (default: yesterday, Asia/Shanghai). */
  date?: string;
}

export interface MetricsIngestPayload {
  accountId: string;
  dataset: string;
  date: string;
}

export interface MetricsBackfillPayload {
  backfillId: string;
}

export interface MetricsGapCheckPayload {
  source: 'scheduler' | 'manual';
}

export interface ReportGeneratePayload {
  reportId: string;
  organisationId: string;
  /** 'YYYY-MM' */
  month: string;
  version: number;
}

export interface ReportsMonthlyPayload {
  source: 'scheduler' | 'manual';
}

/** Job name → payload type. */
export interface JobPayloads {
  'alerts-dispatch': AlertsDispatchPayload;
  'credentials-check': CredentialsCheckPayload;
  heartbeat: HeartbeatPayload;
  'audit-purge': AuditPurgePayload;
  publish: PublishPayload;
  reconcile: ReconcilePayload;
  'metrics-daily': MetricsDailyPayload;
  'metrics-ingest': MetricsIngestPayload;
  'metrics-backfill': MetricsBackfillPayload;
  'metrics-gap-check': MetricsGapCheckPayload;
  'report-generate': ReportGeneratePayload;
  'reports-monthly': ReportsMonthlyPayload;
}
export type JobName = keyof JobPayloads;

export interface JobDefinition<N extends JobName> {
  queue: QueueName;
  /** Deterministic id for an enqueue of this payload; the same work gets the same id. */
  jobId: (payload: JobPayloads[N], at: Date) => string;
}

export const JOBS: { readonly [N in JobName]: JobDefinition<N> } = {
  heartbeat: {
    queue: 'maintenance',
    // One manual heartbeat per second at most; scheduled ones get their ids from the job scheduler.
    jobId: (payload, at) => jobId('heartbeat', payload.source, Math.floor(at.getTime() / 1000)),
  },
  'audit-purge': {
    queue: 'maintenance',
    // One purge per day is enough; a second enqueue the same day is the same job.
    jobId: (payload, at) => jobId('audit-purge', payload.source, at.toISOString().slice(0, 10)),
  },
  publish: {
    queue: 'publish',
    // One job per item and revision (`publish-<id>-r<revision>`): scheduling twice is one job.
    jobId: (payload) => jobId('publish', payload.contentId, `r${payload.revision}`),
  },
  'alerts-dispatch': {
    queue: 'alerts',
    // One live dispatch per channel; it loops until the channel has nothing due.
    jobId: (payload) => jobId('alerts', payload.channelId),
  },
  'credentials-check': {
    queue: 'maintenance',
    jobId: (payload, at) => jobId('credentials-check', payload.source, at.toISOString().slice(0, 10)),
  },
  reconcile: {
    queue: 'maintenance',
    jobId: (payload, at) => jobId('reconcile', payload.source, Math.floor(at.getTime() / 1000)),
  },
  'metrics-daily': {
    queue: 'metrics',
    jobId: (payload, at) =>
      jobId('metrics-daily', payload.source, payload.date ?? at.toISOString().slice(0, 10)),
  },
  'metrics-ingest': {
    queue: 'metrics',
    // One job per account, data set and day: the plan enqueued twice is one set of jobs.
    jobId: (p) => jobId('metrics', p.accountId, p.dataset, p.date),
  },
  'metrics-backfill': {
    queue: 'metrics',
    jobId: (p) => jobId('metrics-backfill', p.backfillId),
  },
  'metrics-gap-check': {
    queue: 'metrics',
    jobId: (payload, at) => jobId('metrics-gap-check', payload.source, at.toISOString().slice(0, 10)),
  },
  'report-generate': {
    queue: 'reports',
    // One job per report version (`report-<org>-<yyyy-mm>-v<n>`): requesting twice is one job.
    jobId: (p) => jobId('report', p.organisationId, p.month, `v${p.version}`),
  },
  'reports-monthly': {
    queue: 'reports',
    jobId: (payload, at) => jobId('reports-monthly', payload.source, at.toISOString().slice(0, 10)),
  },
};

export interface SchedulerDefinition<N extends JobName> {
  /** The job scheduler id: stable across restarts, so upserting on every start is safe. */
  id: string;
  job: N;
  payload: JobPayloads[N];
  /** A fixed interval, or a cron pattern in a time zone (business times are Asia/Shanghai). */
  repeat: (settings: ScheduleSettings) => { every: number } | { pattern: string; tz: string };
}
export interface ScheduleSettings {
  heartbeatIntervalMs: number;
  reconcileIntervalMs: number;
  /** HH:MM Asia/Shanghai (default 08:30). */
  metricsDailyAt?: string;
}

/** A cron pattern for a daily HH:MM. */
const dailyAt = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return `${m} ${h} * * *`;
};

export const SCHEDULERS: ReadonlyArray<SchedulerDefinition<JobName>> = [
  {
    id: 'heartbeat',
    job: 'heartbeat',
    payload: { source: 'scheduler' },
    repeat: (s) => ({ every: s.heartbeatIntervalMs }),
  },
  {
    id: 'reconcile',
    job: 'reconcile',
    payload: { source: 'scheduler' },
    repeat: (s) => ({ every: s.reconcileIntervalMs }),
  },
  {
    id: 'credentials-check-daily',
    job: 'credentials-check',
    payload: { source: 'scheduler' },
    repeat: () => ({ pattern: '0 7 * * *', tz: 'Asia/Shanghai' }),
  },
  {
    id: 'metrics-daily',
    job: 'metrics-daily',
    payload: { source: 'scheduler' },
    repeat: (s) => ({ pattern: dailyAt(s.metricsDailyAt ?? '08:30'), tz: 'Asia/Shanghai' }),
  },
  {
    // After the morning ingestion and its retries: accounts without data for more than 2 days.
    id: 'metrics-gap-check-daily',
    job: 'metrics-gap-check',
    payload: { source: 'scheduler' },
    repeat: () => ({ pattern: '0 12 * * *', tz: 'Asia/Shanghai' }),
  },
  {
    // Last month's report for every organisation with accounts, after the month's last figures (T+1).
    id: 'reports-monthly',
    job: 'reports-monthly',
    payload: { source: 'scheduler' },
    repeat: () => ({ pattern: '0 6 1 * *', tz: 'Asia/Shanghai' }),
  },
  {
    id: 'audit-purge-daily',
    job: 'audit-purge',
    payload: { source: 'scheduler' },
    repeat: () => ({ pattern: '30 3 * * *', tz: 'Asia/Shanghai' }),
  },
];

export type Processor<N extends JobName> = (
  job: Job<JobPayloads[N]>,
  token: string | undefined,
  signal: AbortSignal | undefined,
) => Promise<unknown>;
export type Processors = { readonly [N in JobName]: Processor<N> };

/**
 * Builds a job id from parts. BullMQ reserves `:` (its key separator) and treats all-digit ids as its
 * own counter values, so both are refused here.
 */
export function jobId(...parts: Array<string | number>): string {
  const id = parts.join('-');
  if (id.includes(':')) throw new Error(`job id "${id}" must not contain ":"`);
  if (/^\d+$/.test(id)) throw new Error(`job id "${id}" must not be all digits`);
  return id;
}

/** Start-up guard: every registered job has exactly one processor, and no processor lacks a job. */
export function assertProcessorsComplete(
  registry: Readonly<Record<string, unknown>>,
  processors: Readonly<Record<string, unknown>>,
): void {
  const missing = Object.keys(registry).filter((name) => typeof processors[name] !== 'function');
  const unknown = Object.keys(processors).filter((name) => !(name in registry));
  const problems = [
    ...missing.map((n) => `job "${n}" has no processor`),
    ...unknown.map((n) => `processor "${n}" has no registered job`),
  ];
  if (problems.length > 0) throw new Error(`Job registry is inconsistent: ${problems.join('; ')}`);
}

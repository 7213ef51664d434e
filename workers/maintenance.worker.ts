import { hostname } from 'node:os';
import { purgeAudit } from '../core/audit/audit-chain.js';
import type { Db } from '../core/db/database.js';
import { HEARTBEAT_NAME } from '../core/health/readiness.js';
import { recordHeartbeat } from '../core/heartbeat/heartbeat.repository.js';
import type { Processor } from './jobs.js';

const WORKER_NAME = `${hostname()}:${process.pid}`;

/** Records that a job went through Redis and a worker into Postgres; /readyz reads its age. */
export function heartbeatProcessor(db: Db): Processor<'heartbeat'> {
  return async (job) => {
    await recordHeartbeat(db, { name: HEARTBEAT_NAME, jobId: job.id ?? 'unknown', worker: WORKER_NAME });
    return { recorded: true };
  };
}

/** Removes audit rows past the retention period and records that it ran. */
export function auditPurgeProcessor(db: Db, retentionDays: number): Processor<'audit-purge'> {
  return async () => purgeAudit(db, retentionDays);
}

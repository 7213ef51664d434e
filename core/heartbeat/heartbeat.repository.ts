import { sql } from 'kysely';
import type { DbOrTx } from '../db/database.js';

export interface Heartbeat {
  name: string;
  beatAt: Date;
  jobId: string;
  worker: string;
}

export async function recordHeartbeat(
  db: DbOrTx,
  beat: { name: string; jobId: string; worker: string },
): Promise<void> {
  await db
    .insertInto('worker_heartbeats')
    .values({ name: beat.name, job_id: beat.jobId, worker: beat.worker, beat_at: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({ job_id: beat.jobId, worker: beat.worker, beat_at: sql<Date>`now()` }),
    )
    .execute();
}

/** The latest heartbeat and its age measured by the database clock (no skew with the app host). */
export async function latestHeartbeat(
  db: DbOrTx,
  name: string,
): Promise<(Heartbeat & { ageMs: number }) | null> {
  const row = await db
    .selectFrom('worker_heartbeats')
    .select([
      'name',
      'beat_at',
      'job_id',
      'worker',
      sql<number>`(extract(epoch from (now() - beat_at)) * 1000)::float8`.as('age_ms'),
    ])
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) return null;
  return {
    name: row.name,
    beatAt: row.beat_at,
    jobId: row.job_id,
    worker: row.worker,
    ageMs: Number(row.age_ms),
  };
}

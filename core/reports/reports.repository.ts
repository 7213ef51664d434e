import { type Selectable, sql, type Updateable } from 'kysely';
import type { DbOrTx } from '../db/database.js';
import type { ReportsTable } from './reports.table.js';

export type ReportRow = Selectable<ReportsTable>;

/** Serialises requests for one organisation and month (inside a transaction). */
export async function lockMonth(tx: DbOrTx, organisationId: string, monthStart: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`reports|${organisationId}|${monthStart}`}))`.execute(tx);
}

export function latestVersion(db: DbOrTx, organisationId: string, monthStart: string) {
  return db
    .selectFrom('reports')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('month', '=', monthStart)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function insertReport(
  db: DbOrTx,
  v: { organisationId: string; monthStart: string; version: number; createdBy: string | null },
) {
  return db
    .insertInto('reports')
    .values({
      organisation_id: v.organisationId,
      month: v.monthStart,
      version: v.version,
      created_by: v.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findReport(db: DbOrTx, id: string) {
  return db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listReportRows(db: DbOrTx, organisationId: string) {
  return db
    .selectFrom('reports')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('month', 'desc')
    .orderBy('version', 'desc')
    .limit(500)
    .execute();
}

/** Takes a report for generation: queued, or generating when a previous worker died mid-way. */
export function claimReport(db: DbOrTx, id: string) {
  return db
    .updateTable('reports')
    .set({ status: 'generating', attempts: sql`attempts + 1`, error: null })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'generating'])
    .returningAll()
    .executeTakeFirst();
}

export function updateReport(db: DbOrTx, id: string, values: Updateable<ReportsTable>) {
  return db.updateTable('reports').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Organisations with at least one account: the ones a monthly report is made for. */
export async function organisationsWithAccounts(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectFrom('accounts').select('organisation_id').distinct().execute();
  return rows.map((r) => r.organisation_id);
}

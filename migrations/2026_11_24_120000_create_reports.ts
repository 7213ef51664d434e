import { type Kysely, sql } from 'kysely';

// Frozen: once shipped, never edit this file; add a new migration instead.

export async function up(db: Kysely<any>): Promise<void> {
  // One generated monthly report (运营数据月报) of an organisation: every version is kept.
  await db.schema
    .createTable('reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addColumn('month', 'date', (c) => c.notNull().check(sql`extract(day from month) = 1`))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('queued').check(sql`status in ('queued', 'generating', 'done', 'failed')`),
    )
    .addColumn('pdf_path', 'text')
    .addColumn('pdf_sha256', 'text')
    .addColumn('pdf_bytes', 'integer')
    .addColumn('xlsx_path', 'text')
    .addColumn('xlsx_sha256', 'text')
    .addColumn('xlsx_bytes', 'integer')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('generated_at', 'timestamptz')
    .addUniqueConstraint('reports_org_month_version_key', ['organisation_id', 'month', 'version'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reports').execute();
}

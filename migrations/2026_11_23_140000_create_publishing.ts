import { type Kysely, sql } from 'kysely';

// Frozen: once shipped, never edit this file; add a new migration instead.

export async function up(db: Kysely<any>): Promise<void> {
  // What the publishing worker keeps on the item itself: its lease, the platform ids so far, the outcome.
  await db.schema
    .alterTable('contents')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('progress', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('published_at', 'timestamptz')
    .addColumn('published_urls', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('last_error', 'jsonb')
    .execute();
  await db.schema
    .createIndex('contents_due_idx')
    .on('contents')
    .columns(['status', 'scheduled_at'])
    .execute();
  await db.schema
    .createIndex('contents_lease_idx')
    .on('contents')
    .columns(['status', 'lease_until'])
    .execute();

  // Every attempt at publishing an item: who, when, which steps, how it ended.
  await db.schema
    .createTable('publish_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('content_id', 'uuid', (c) => c.notNull().references('contents.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('outcome', 'text', (c) =>
      c.check(sql`outcome in ('published', 'failed', 'unconfirmed', 'retry', 'abandoned')`),
    )
    .addColumn('error_kind', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('steps', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await db.schema
    .createIndex('publish_attempts_content_idx')
    .on('publish_attempts')
    .column('content_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('publish_attempts').execute();
  await db.schema.dropIndex('contents_lease_idx').execute();
  await db.schema.dropIndex('contents_due_idx').execute();
  await db.schema
    .alterTable('contents')
    .dropColumn('lease_owner')
    .dropColumn('lease_until')
    .dropColumn('progress')
    .dropColumn('attempts')
    .dropColumn('published_at')
    .dropColumn('published_urls')
    .dropColumn('last_error')
    .execute();
}

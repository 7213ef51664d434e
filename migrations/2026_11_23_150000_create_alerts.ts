import { type Kysely, sql } from 'kysely';

// Frozen: once shipped, never edit this file; add a new migration instead.

export async function up(db: Kysely<any>): Promise<void> {
  // Where an organisation's alerts go. The URL with its key and any signing secret are encrypted in
  // `secrets` (owner_type 'alert_channel'); `target` is the URL with its query string masked.
  await db.schema
    .createTable('alert_channels')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('wecom', 'dingtalk', 'webhook')`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 100`))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Every alert raised, once (dedupe_key), with what it is about.
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_id', 'uuid', (c) => c.references('contents.id').onDelete('set null'))
    .addColumn('account_id', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('alerts_org_idx')
    .on('alerts')
    .columns(['organisation_id', 'occurred_at'])
    .execute();

  // One message actually sent to a channel (a single alert or a digest): the robots' 20-a-minute budget.
  await db.schema
    .createTable('alert_messages')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('channel_id', 'uuid', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('alerts', 'integer', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('alert_messages_channel_idx')
    .on('alert_messages')
    .columns(['channel_id', 'sent_at'])
    .execute();

  // Each alert's delivery to each channel of its organisation.
  await db.schema
    .createTable('alert_deliveries')
    .addColumn('alert_id', 'bigint', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('channel_id', 'uuid', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('message_id', 'bigint', (c) => c.references('alert_messages.id').onDelete('set null'))
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('alert_deliveries_pkey', ['alert_id', 'channel_id'])
    .execute();
  await db.schema
    .createIndex('alert_deliveries_pending_idx')
    .on('alert_deliveries')
    .columns(['channel_id', 'status', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['alert_deliveries', 'alert_messages', 'alerts', 'alert_channels'])
    await db.schema.dropTable(t).execute();
}

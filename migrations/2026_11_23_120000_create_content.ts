import { type Kysely, sql } from 'kysely';

// Frozen: once shipped, never edit this file; add a new migration instead.

const STATUSES = [
  'draft',
  'in_review',
  'approved',
  'rejected',
  'scheduled',
  'publishing',
  'published',
  'failed',
  'unconfirmed',
  'cancelled',
];
const list = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export async function up(db: Kysely<any>): Promise<void> {
  // Review settings of an organisation: 三审三校 steps, and whether an author may approve their own work.
  await db.schema
    .alterTable('organisations')
    .addColumn('review_steps', 'integer', (c) =>
      c.notNull().defaultTo(1).check(sql`review_steps between 1 and 3`),
    )
    .addColumn('allow_self_approval', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  // Backend staff an organisation names as reviewers, besides its client approvers (portal).
  await db.schema
    .createTable('organisation_reviewers')
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('organisation_reviewers_pkey', ['organisation_id', 'user_id'])
    .execute();

  // Media library: one file per SHA-256 under DATA_DIR/media, one row per organisation that uses it.
  await db.schema
    .createTable('media')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('restrict'),
    )
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('mime', 'text', (c) =>
      c.notNull().check(sql`mime in ('image/jpeg', 'image/png', 'image/gif')`),
    )
    .addColumn('bytes', 'integer', (c) => c.notNull().check(sql`bytes > 0`))
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('original_name', 'text', (c) =>
      c.notNull().check(sql`length(original_name) between 1 and 255`),
    )
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('media_organisation_sha256_key', ['organisation_id', 'sha256'])
    .execute();

  // What a platform already holds for an image, per account: a body-image URL or a cover media id.
  await db.schema
    .createTable('media_platform_refs')
    .addColumn('media_id', 'uuid', (c) => c.notNull().references('media.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('body_url', 'thumb_media_id')`))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('media_platform_refs_pkey', ['media_id', 'account_id', 'kind'])
    .execute();

  // A piece of content: a WeChat edition (1–8 articles) or a Weibo post. Its body lives in revisions.
  await db.schema
    .createTable('contents')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('restrict'),
    )
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('restrict'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('wechat_edition', 'weibo_post')`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in (${list(STATUSES)})`),
    )
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1).check(sql`revision >= 1`))
    .addColumn('title', 'text', (c) => c.notNull())
    // null: publish as soon as possible after approval (the SLA applies); else the requested time.
    .addColumn('publish_at', 'timestamptz')
    .addColumn('scheduled_at', 'timestamptz')
    .addColumn('approved_revision', 'integer')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('contents_calendar_idx')
    .on('contents')
    .columns(['organisation_id', 'scheduled_at'])
    .execute();
  await db.schema
    .createIndex('contents_status_idx')
    .on('contents')
    .columns(['status', 'organisation_id'])
    .execute();

  // Every edit is a new revision; nothing is overwritten.
  await db.schema
    .createTable('content_revisions')
    .addColumn('content_id', 'uuid', (c) => c.notNull().references('contents.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('findings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('content_revisions_pkey', ['content_id', 'revision'])
    .execute();

  // The timeline: every status change with who, why and on which revision.
  await db.schema
    .createTable('content_transitions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('content_id', 'uuid', (c) => c.notNull().references('contents.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text', (c) => c.notNull())
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('actor_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actor_role', 'text')
    .addColumn('reason', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('content_transitions_content_idx')
    .on('content_transitions')
    .column('content_id')
    .execute();

  // Review decisions, per revision and step (三审: up to 3 steps, each by a different person).
  await db.schema
    .createTable('content_reviews')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('content_id', 'uuid', (c) => c.notNull().references('contents.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull().check(sql`step between 1 and 3`))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('approved', 'rejected')`))
    .addColumn('reviewer_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('surface', 'text', (c) => c.notNull().check(sql`surface in ('backend', 'portal')`))
    .addColumn('comment', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('content_reviews_step_key', ['content_id', 'revision', 'step'])
    .execute();

  // The publishing deadline of content approved "as soon as possible", kept for the monthly report.
  await db.schema
    .createTable('sla_records')
    .addColumn('content_id', 'uuid', (c) => c.primaryKey().references('contents.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull())
    .addColumn('working_day', 'boolean', (c) => c.notNull())
    .addColumn('at_risk_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deadline', 'timestamptz', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz')
    .addColumn('outcome', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`outcome in ('pending', 'met', 'missed', 'void')`),
    )
    .addColumn('at_risk_raised_at', 'timestamptz')
    .addColumn('breached_raised_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('sla_records_open_idx')
    .on('sla_records')
    .columns(['outcome', 'deadline'])
    .execute();

  // Days the calendar package does not know (or gets wrong): admins say working day or not.
  await db.schema
    .createTable('calendar_overrides')
    .addColumn('day', 'date', (c) => c.primaryKey())
    .addColumn('working', 'boolean', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 50`))
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Proofreading lists: organisation_id null = shared by all organisations.
  await db.schema
    .createTable('proof_entries')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id').onDelete('cascade'))
    .addColumn('pattern', 'text', (c) => c.notNull().check(sql`length(pattern) between 1 and 50`))
    .addColumn('suggestion', 'text', (c) => c.check(sql`length(suggestion) <= 200`))
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('block', 'warn')`))
    .addColumn('category', 'text', (c) =>
      c.notNull().check(sql`category in ('typo', 'sensitive', 'formulation')`),
    )
    .addColumn('exceptions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('note', 'text')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index proof_entries_scope_pattern_key
    on proof_entries (coalesce(organisation_id, '00000000-0000-0000-0000-000000000000'::uuid), pattern)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'proof_entries',
    'calendar_overrides',
    'sla_records',
    'content_reviews',
    'content_transitions',
    'content_revisions',
    'contents',
    'media_platform_refs',
    'media',
    'organisation_reviewers',
  ])
    await db.schema.dropTable(t).execute();
  await db.schema
    .alterTable('organisations')
    .dropColumn('review_steps')
    .dropColumn('allow_self_approval')
    .execute();
}

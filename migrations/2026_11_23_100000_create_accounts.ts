import { type Kysely, sql } from 'kysely';

// Frozen: once shipped, never edit this file; add a new migration instead.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisations.id').onDelete('restrict'),
    )
    .addColumn('platform', 'text', (c) => c.notNull().check(sql`platform in ('wechat', 'weibo')`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 100`))
    // AppID for WeChat, uid for Weibo (a string: Weibo ids exceed 2^53).
    .addColumn('external_id', 'text', (c) => c.notNull().check(sql`length(external_id) between 1 and 64`))
    .addColumn('wechat_kind', 'text', (c) => c.check(sql`wechat_kind in ('subscription', 'service')`))
    .addColumn('verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('publish_mode', 'text', (c) => c.check(sql`publish_mode in ('masssend', 'freepublish')`))
    .addColumn('daily_masssend_quota', 'integer', (c) =>
      c.notNull().defaultTo(1).check(sql`daily_masssend_quota between 0 and 100`),
    )
    .addColumn('tier', 'text', (c) =>
      c.check(sql`tier in ('city_government', 'city_department', 'county_government', 'county_unit')`),
    )
    .addColumn('inspection_cadence', 'text', (c) =>
      c.check(sql`inspection_cadence in ('daily', 'twice_weekly', 'weekly', 'monthly')`),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('active').check(sql`status in ('active', 'needs_reauth', 'disabled')`),
    )
    .addColumn('status_reason', 'text')
    // Accounts of the built-in sandbox (the emulator): shown as 沙箱 everywhere.
    .addColumn('sandbox', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('accounts_platform_external_id_key', ['platform', 'external_id'])
    .addCheckConstraint(
      'accounts_wechat_fields',
      sql`(platform = 'wechat') = (wechat_kind is not null and publish_mode is not null)`,
    )
    .execute();
  await db.schema.createIndex('accounts_organisation_idx').on('accounts').column('organisation_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('accounts').execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen: once shipped, never edit this file; add a new migration instead.

export async function up(db: Kysely<any>): Promise<void> {
  // One account's figures for one Asia/Shanghai day. Every figure may be unknown (null): Weibo keeps
  // no history, a data set may not have arrived yet. `reads` are article page reads (图文页阅读次数).
  await sql`
    create table metric_account_daily (
      account_id uuid not null references accounts(id) on delete cascade,
      date date not null,
      followers integer check (followers >= 0),
      new_followers integer check (new_followers >= 0),
      lost_followers integer check (lost_followers >= 0),
      new_by_source jsonb,
      reads integer check (reads >= 0),
      readers integer check (readers >= 0),
      shares integer check (shares >= 0),
      source text not null default 'api' check (source in ('api', 'import')),
      updated_at timestamptz not null default now(),
      primary key (account_id, date)
    )`.execute(db);

  // One article's (or Weibo post's) figures on one day, as the platform reports them.
  await sql`
    create table metric_article_daily (
      account_id uuid not null references accounts(id) on delete cascade,
      external_article_id text not null check (length(external_article_id) between 1 and 100),
      date date not null,
      content_id uuid references contents(id) on delete set null,
      title text not null default '',
      reads integer check (reads >= 0),
      readers integer check (readers >= 0),
      shares integer check (shares >= 0),
      likes integer check (likes >= 0),
      comments integer check (comments >= 0),
      favourites integer check (favourites >= 0),
      source text not null default 'api' check (source in ('api', 'import')),
      updated_at timestamptz not null default now(),
      primary key (account_id, external_article_id, date)
    )`.execute(db);
  await sql`create index metric_article_daily_date_idx on metric_article_daily (account_id, date)`.execute(
    db,
  );
  await sql`create index metric_article_daily_content_idx on metric_article_daily (content_id) where content_id is not null`.execute(
    db,
  );

  // Weekly (Monday–Sunday) and monthly rollups, rewritten from the daily rows whenever those change,
  // so dashboards never scan raw rows.
  await sql`
    create table metric_account_periods (
      account_id uuid not null references accounts(id) on delete cascade,
      granularity text not null check (granularity in ('week', 'month')),
      period_start date not null,
      days_with_data integer not null,
      followers_end integer,
      new_followers bigint,
      lost_followers bigint,
      reads bigint,
      readers bigint,
      shares bigint,
      article_reads bigint,
      articles integer not null default 0,
      primary key (account_id, granularity, period_start)
    )`.execute(db);

  // A backfill: its range, the data sets, and a checkpoint per data set (the last day stored).
  await sql`
    create table metric_backfills (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id) on delete cascade,
      account_id uuid not null references accounts(id) on delete cascade,
      from_date date not null,
      to_date date not null,
      status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
      checkpoint jsonb not null default '{}'::jsonb,
      total_units integer not null default 0,
      done_units integer not null default 0,
      rows_written bigint not null default 0,
      error text,
      notes jsonb not null default '[]'::jsonb,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz,
      check (from_date <= to_date)
    )`.execute(db);
  await sql`create index metric_backfills_account_idx on metric_backfills (account_id, created_at)`.execute(
    db,
  );

  // A manual import (CSV or XLSX): previewed first, then applied all at once.
  await sql`
    create table metric_imports (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id) on delete cascade,
      filename text not null,
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      kind text not null check (kind in ('account_daily', 'article_daily')),
      rows jsonb not null,
      summary jsonb not null,
      status text not null default 'previewed' check (status in ('previewed', 'applied', 'discarded')),
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      applied_at timestamptz
    )`.execute(db);

  // A KPI target from a contract: what is measured, against which baseline, by which milestones.
  await sql`
    create table kpi_targets (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id) on delete cascade,
      account_id uuid references accounts(id) on delete cascade,
      metric text not null,
      name text not null check (length(name) between 1 and 200),
      baseline jsonb,
      milestones jsonb not null,
      contract_start date not null,
      contract_end date not null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (contract_start < contract_end)
    )`.execute(db);
  await sql`create index kpi_targets_org_idx on kpi_targets (organisation_id)`.execute(db);

  await sql`
    create table campaigns (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id) on delete cascade,
      type text not null check (type in ('marketing', 'theme', 'topic')),
      name text not null check (length(name) between 1 and 200),
      description text not null default '',
      starts_on date not null,
      ends_on date not null,
      short_event boolean not null default false,
      goals jsonb not null default '[]'::jsonb,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (starts_on <= ends_on)
    )`.execute(db);
  await sql`create index campaigns_org_idx on campaigns (organisation_id, starts_on)`.execute(db);
  await sql`
    create table campaign_contents (
      campaign_id uuid not null references campaigns(id) on delete cascade,
      content_id uuid not null references contents(id) on delete cascade,
      primary key (campaign_id, content_id)
    )`.execute(db);

  // Custom features (定制栏目/专栏) and topic pages (专题页) delivered under the contract.
  await sql`
    create table deliverables (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id) on delete cascade,
      campaign_id uuid references campaigns(id) on delete set null,
      kind text not null check (kind in ('feature', 'topic_page')),
      title text not null check (length(title) between 1 and 200),
      delivered_on date not null,
      url text check (url ~ '^https?://'),
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index deliverables_org_idx on deliverables (organisation_id, delivered_on)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'deliverables',
    'campaign_contents',
    'campaigns',
    'kpi_targets',
    'metric_imports',
    'metric_backfills',
    'metric_account_periods',
    'metric_article_daily',
    'metric_account_daily',
  ])
    await db.schema.dropTable(t).execute();
}

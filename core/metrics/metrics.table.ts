import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** A calendar day (Asia/Shanghai) as `YYYY-MM-DD`; pg returns `date` columns as strings here. */
type Day = ColumnType<string, string, string>;
export type MetricSource = 'api' | 'import';

export interface MetricAccountDailyTable {
  account_id: string;
  date: Day;
  followers: number | null;
  new_followers: number | null;
  lost_followers: number | null;
  new_by_source: JSONColumnType<Record<string, number> | null, string | null, string | null>;
  /** Article page reads (图文页阅读次数, getuserread int_page_read_count). */
  reads: number | null;
  readers: number | null;
  shares: number | null;
  source: ColumnType<MetricSource, MetricSource | undefined, MetricSource>;
  updated_at: Generated<Date>;
}

export interface MetricArticleDailyTable {
  account_id: string;
  external_article_id: string;
  date: Day;
  content_id: string | null;
  title: Generated<string>;
  reads: number | null;
  readers: number | null;
  shares: number | null;
  likes: number | null;
  comments: number | null;
  favourites: number | null;
  source: ColumnType<MetricSource, MetricSource | undefined, MetricSource>;
  updated_at: Generated<Date>;
}

export type Granularity = 'week' | 'month';

export interface MetricAccountPeriodsTable {
  account_id: string;
  granularity: Granularity;
  period_start: Day;
  days_with_data: number;
  followers_end: number | null;
  /** bigint sums arrive as strings from pg. */
  new_followers: ColumnType<string | null, number | null, number | null>;
  lost_followers: ColumnType<string | null, number | null, number | null>;
  reads: ColumnType<string | null, number | null, number | null>;
  readers: ColumnType<string | null, number | null, number | null>;
  shares: ColumnType<string | null, number | null, number | null>;
  article_reads: ColumnType<string | null, number | null, number | null>;
  articles: number;
}

export type BackfillStatus = 'queued' | 'running' | 'done' | 'failed';

export interface MetricBackfillsTable {
  id: Generated<string>;
  organisation_id: string;
  account_id: string;
  from_date: Day;
  to_date: Day;
  status: ColumnType<BackfillStatus, BackfillStatus | undefined, BackfillStatus>;
  /** Per data set, the last day stored. */
  checkpoint: JSONColumnType<Record<string, string>, string | undefined, string>;
  total_units: Generated<number>;
  done_units: Generated<number>;
  rows_written: ColumnType<string, number | undefined, number>;
  error: string | null;
  notes: JSONColumnType<string[], string | undefined, string>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Date | null;
}

export type ImportKind = 'account_daily' | 'article_daily';

export interface MetricImportsTable {
  id: Generated<string>;
  organisation_id: string;
  filename: string;
  sha256: string;
  kind: ImportKind;
  rows: JSONColumnType<object[], string, string>;
  summary: JSONColumnType<object, string, string>;
  status: ColumnType<'previewed' | 'applied' | 'discarded', 'previewed' | undefined, 'applied' | 'discarded'>;
  created_by: string | null;
  created_at: Generated<Date>;
  applied_at: Date | null;
}

import { sql } from 'kysely';
import type { AccountDayFigures, ArticleDayFigures } from '../../integrations/platform.js';
import type { DbOrTx } from '../db/database.js';
import type { Granularity, MetricSource } from './metrics.table.js';

/**
 * The write path of metrics: idempotent upserts of daily rows, each followed by a rewrite of the weekly
 * and monthly rollups the rows fall in. A figure that is null or absent in the input leaves the stored
 * figure as it is (a data set fills only its own columns; an empty import cell changes nothing).
 */

const ACCOUNT_COLUMNS = [
  'followers',
  'new_followers',
  'lost_followers',
  'reads',
  'readers',
  'shares',
] as const;
const ARTICLE_COLUMNS = ['reads', 'readers', 'shares', 'likes', 'comments', 'favourites'] as const;

const num = (v: number | null | undefined) => (v === undefined ? null : v);
const setCoalesced = (columns: readonly string[], table: string) =>
  sql.raw(columns.map((c) => `${c} = coalesce(excluded.${c}, ${table}.${c})`).join(', '));

export interface WriteResult {
  accountRows: number;
  articleRows: number;
}

/**
 * Upserts an account's daily and article rows in one statement each (arrays unnested server-side),
 * then refreshes the rollups of every period touched. Run it inside a transaction to make a batch
 * all-or-nothing.
 */
export async function writeMetrics(
  db: DbOrTx,
  accountId: string,
  input: {
    accountDays: AccountDayFigures[];
    articleDays: ArticleDayFigures[];
    source?: MetricSource;
    /** datacube msgid / Weibo status id → our content, to link article rows. */
    contentOf?: (externalArticleId: string) => string | null;
  },
): Promise<WriteResult> {
  const source = input.source ?? 'api';
  const days = dedupeLast(input.accountDays, (d) => d.date);
  const articles = dedupeLast(input.articleDays, (a) => `${a.externalArticleId}|${a.date}`);
  if (days.length > 0) {
    await sql`
      insert into metric_account_daily as t
        (account_id, date, followers, new_followers, lost_followers, new_by_source, reads, readers, shares, source, updated_at)
      select ${accountId}::uuid, u.date, u.followers, u.new_followers, u.lost_followers, u.new_by_source,
             u.reads, u.readers, u.shares, ${source}, now()
      from unnest(
        ${days.map((d) => d.date)}::date[],
        ${days.map((d) => num(d.followers))}::int[],
        ${days.map((d) => num(d.newFollowers))}::int[],
        ${days.map((d) => num(d.lostFollowers))}::int[],
        ${days.map((d) => (d.newBySource ? JSON.stringify(d.newBySource) : null))}::jsonb[],
        ${days.map((d) => num(d.reads))}::int[],
        ${days.map((d) => num(d.readers))}::int[],
        ${days.map((d) => num(d.shares))}::int[]
      ) as u(date, followers, new_followers, lost_followers, new_by_source, reads, readers, shares)
      on conflict (account_id, date) do update set
        ${setCoalesced([...ACCOUNT_COLUMNS, 'new_by_source'], 't')},
        source = excluded.source, updated_at = now()`.execute(db);
  }
  if (articles.length > 0) {
    await sql`
      insert into metric_article_daily as t
        (account_id, external_article_id, date, content_id, title, reads, readers, shares, likes, comments, favourites, source, updated_at)
      select ${accountId}::uuid, u.ext, u.date, u.content_id, coalesce(u.title, ''), u.reads, u.readers, u.shares,
             u.likes, u.comments, u.favourites, ${source}, now()
      from unnest(
        ${articles.map((a) => a.externalArticleId)}::text[],
        ${articles.map((a) => a.date)}::date[],
        ${articles.map((a) => input.contentOf?.(a.externalArticleId) ?? null)}::uuid[],
        ${articles.map((a) => a.title ?? null)}::text[],
        ${articles.map((a) => num(a.reads))}::int[],
        ${articles.map((a) => num(a.readers))}::int[],
        ${articles.map((a) => num(a.shares))}::int[],
        ${articles.map((a) => num(a.likes))}::int[],
        ${articles.map((a) => num(a.comments))}::int[],
        ${articles.map((a) => num(a.favourites))}::int[]
      ) as u(ext, date, content_id, title, reads, readers, shares, likes, comments, favourites)
      on conflict (account_id, external_article_id, date) do update set
        ${setCoalesced(ARTICLE_COLUMNS, 't')},
        content_id = coalesce(excluded.content_id, t.content_id),
        title = case when excluded.title = '' then t.title else excluded.title end,
        source = excluded.source, updated_at = now()`.execute(db);
  }
  const touched = [...days.map((d) => d.date), ...articles.map((a) => a.date)].sort();
  if (touched.length > 0)
    await refreshRollups(db, accountId, touched[0] as string, touched[touched.length - 1] as string);
  return { accountRows: days.length, articleRows: articles.length };
}

/** Later rows win over earlier ones with the same key (one statement may not update a row twice). */
function dedupeLast<T>(rows: T[], key: (r: T) => string): T[] {
  return [...new Map(rows.map((r) => [key(r), r])).values()];
}

const TRUNC: Record<Granularity, { unit: string; step: string }> = {
  week: { unit: 'week', step: '1 week' },
  month: { unit: 'month', step: '1 month' },
};

/**
 * Rewrites the weekly (ISO, Monday–Sunday) and monthly rollups of an account for every period that
 * overlaps [from, to], from the daily rows. A period left without any row is deleted.
 */
export async function refreshRollups(db: DbOrTx, accountId: string, from: string, to: string): Promise<void> {
  for (const granularity of ['week', 'month'] as const) {
    const { unit, step } = TRUNC[granularity];
    const first = sql`date_trunc(${unit}, ${from}::date)::date`;
    const end = sql`(date_trunc(${unit}, ${to}::date) + ${step}::interval)::date`;
    await sql`
      with d as (
        select date_trunc(${unit}, date)::date as ps, count(*)::int as n,
               (array_agg(followers order by date desc) filter (where followers is not null))[1] as followers_end,
               sum(new_followers) as new_followers, sum(lost_followers) as lost_followers,
               sum(reads) as reads, sum(readers) as readers, sum(shares) as shares
        from metric_account_daily
        where account_id = ${accountId} and date >= ${first} and date < ${end}
        group by 1
      ), a as (
        select date_trunc(${unit}, date)::date as ps, sum(reads) as article_reads,
               count(distinct external_article_id)::int as articles
        from metric_article_daily
        where account_id = ${accountId} and date >= ${first} and date < ${end}
        group by 1
      ), gone as (
        delete from metric_account_periods p
        where p.account_id = ${accountId} and p.granularity = ${granularity}
          and p.period_start >= ${first} and p.period_start < ${end}
          and not exists (select 1 from d where d.ps = p.period_start)
          and not exists (select 1 from a where a.ps = p.period_start)
      )
      insert into metric_account_periods as t
        (account_id, granularity, period_start, days_with_data, followers_end, new_followers,
         lost_followers, reads, readers, shares, article_reads, articles)
      select ${accountId}::uuid, ${granularity}, coalesce(d.ps, a.ps), coalesce(d.n, 0), d.followers_end,
             d.new_followers, d.lost_followers, d.reads, d.readers, d.shares, a.article_reads,
             coalesce(a.articles, 0)
      from d full join a on a.ps = d.ps
      on conflict (account_id, granularity, period_start) do update set
        days_with_data = excluded.days_with_data, followers_end = excluded.followers_end,
        new_followers = excluded.new_followers, lost_followers = excluded.lost_followers,
        reads = excluded.reads, readers = excluded.readers, shares = excluded.shares,
        article_reads = excluded.article_reads, articles = excluded.articles`.execute(db);
  }
}

import { sql } from 'kysely';
import { checkRange } from '../calendar/days.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';

export type SeriesGranularity = 'day' | 'week' | 'month';

export interface SeriesPoint {
  /** The day, or the first day of the week (Monday) or month. */
  period: string;
  /** Sum of the accounts' follower totals at the end of the period. */
  followers: number | null;
  newFollowers: number | null;
  lostFollowers: number | null;
  netFollowers: number | null;
  /** Article page reads (图文页阅读次数). */
  reads: number | null;
  readers: number | null;
  shares: number | null;
  /** Reads of the period's article rows (only for week and month). */
  articleReads: number | null;
  /** Accounts with figures in the period. */
  accounts: number;
}

/** Longest range per granularity: a day series stays readable, rollups may span years. */
const MAX_DAYS: Record<SeriesGranularity, number> = { day: 1100, week: 3700, month: 3700 };

const n = (v: string | number | null) => (v === null ? null : Number(v));

/**
 * The organisation's figures over [from, to], summed over the chosen accounts (default all), by day
 * (daily rows) or by week / month (rollups: dashboards never scan the daily rows for long ranges).
 */
export async function metricsSeries(
  db: DbOrTx,
  organisationId: string,
  q: { from: string; to: string; granularity: SeriesGranularity; accountIds?: string[] },
): Promise<{
  granularity: SeriesGranularity;
  from: string;
  to: string;
  accountIds: string[];
  points: SeriesPoint[];
}> {
  checkRange(q.from, q.to, { maxDays: MAX_DAYS[q.granularity] });
  const accountIds = await chosenAccounts(db, organisationId, q.accountIds);
  if (accountIds.length === 0) return { ...q, accountIds, points: [] };

  if (q.granularity === 'day') {
    const r = await sql<Record<string, string | null>>`
      select date::text as period, sum(followers) as followers, sum(new_followers) as new_followers,
             sum(lost_followers) as lost_followers, sum(reads) as reads, sum(readers) as readers,
             sum(shares) as shares, count(*) as accounts
      from metric_account_daily
      where account_id = any(${accountIds}::uuid[]) and date between ${q.from}::date and ${q.to}::date
      group by date order by date`.execute(db);
    return { ...q, accountIds, points: r.rows.map((x) => point(x, null)) };
  }
  const trunc = q.granularity;
  const r = await sql<Record<string, string | null>>`
    select period_start::text as period, sum(followers_end) as followers, sum(new_followers) as new_followers,
           sum(lost_followers) as lost_followers, sum(reads) as reads, sum(readers) as readers,
           sum(shares) as shares, sum(article_reads) as article_reads, count(*) as accounts
    from metric_account_periods
    where account_id = any(${accountIds}::uuid[]) and granularity = ${trunc}
      and period_start between date_trunc(${trunc}, ${q.from}::date)::date and ${q.to}::date
    group by period_start order by period_start`.execute(db);
  return { ...q, accountIds, points: r.rows.map((x) => point(x, n(x.article_reads ?? null))) };
}

function point(x: Record<string, string | null>, articleReads: number | null): SeriesPoint {
  const added = n(x.new_followers ?? null);
  const lost = n(x.lost_followers ?? null);
  return {
    period: x.period as string,
    followers: n(x.followers ?? null),
    newFollowers: added,
    lostFollowers: lost,
    netFollowers: added === null && lost === null ? null : (added ?? 0) - (lost ?? 0),
    reads: n(x.reads ?? null),
    readers: n(x.readers ?? null),
    shares: n(x.shares ?? null),
    articleReads,
    accounts: Number(x.accounts),
  };
}

/** The chosen accounts (default: all of the organisation's); ACCOUNT_NOT_IN_ORGANISATION for others. */
async function chosenAccounts(db: DbOrTx, organisationId: string, chosen: string[] | undefined) {
  const all = await db
    .selectFrom('accounts')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .execute();
  const own = new Set(all.map((a) => a.id));
  const foreign = (chosen ?? []).filter((id) => !own.has(id));
  if (foreign.length > 0)
    throw new AppError(
      'ACCOUNT_NOT_IN_ORGANISATION',
      'an account does not belong to this organisation',
      422,
      {
        field: 'accounts',
        accountIds: foreign,
      },
    );
  return chosen?.length ? chosen : [...own];
}

export interface TopArticle {
  accountId: string;
  account: string;
  title: string;
  /** The first day with figures in the range (the publishing day for articles published in it). */
  firstDay: string;
  reads: number;
  readers: number | null;
  shares: number | null;
  likes: number | null;
}

/**
 * The most-read articles over [from, to]: each article's daily figures summed over the range (an article
 * published before the range counts only the reads it had in it). Ties are broken by title, so the list
 * is stable.
 */
export async function topArticles(
  db: DbOrTx,
  organisationId: string,
  q: { from: string; to: string; accountIds?: string[]; limit?: number },
): Promise<TopArticle[]> {
  checkRange(q.from, q.to, { maxDays: MAX_DAYS.week });
  const accountIds = await chosenAccounts(db, organisationId, q.accountIds);
  if (accountIds.length === 0) return [];
  const r = await sql<Record<string, string | null>>`
    select m.account_id, max(a.name) as account, max(m.title) as title, min(m.date)::text as first_day,
           coalesce(sum(m.reads), 0) as reads, sum(m.readers) as readers, sum(m.shares) as shares,
           sum(m.likes) as likes
    from metric_article_daily m join accounts a on a.id = m.account_id
    where m.account_id = any(${accountIds}::uuid[]) and m.date between ${q.from}::date and ${q.to}::date
    group by m.account_id, m.external_article_id
    order by coalesce(sum(m.reads), 0) desc, max(m.title), m.account_id
    limit ${q.limit ?? 10}`.execute(db);
  return r.rows.map((x) => ({
    accountId: x.account_id as string,
    account: x.account as string,
    title: x.title as string,
    firstDay: x.first_day as string,
    reads: Number(x.reads),
    readers: n(x.readers ?? null),
    shares: n(x.shares ?? null),
    likes: n(x.likes ?? null),
  }));
}

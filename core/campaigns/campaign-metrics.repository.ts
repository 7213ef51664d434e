import { sql } from 'kysely';
import type { DbOrTx } from '../db/database.js';

/** The figures a campaign's results are computed from, summed per day in the database. */

export interface ArticleDay {
  date: string;
  /** null: no linked article has a reads figure that day. */
  reads: number | null;
  shares: number | null;
}

export interface AccountDay {
  date: string;
  /** Σ (new − lost) over the accounts that reported both figures; null when none did. */
  net: number | null;
  /** How many of the accounts reported both figures. */
  accounts: number;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

/** Reads and shares of the articles of the given contents, per day in [from, to]. */
export async function articleDays(
  db: DbOrTx,
  contentIds: readonly string[],
  from: string,
  to: string,
): Promise<ArticleDay[]> {
  if (contentIds.length === 0) return [];
  const rows = await db
    .selectFrom('metric_article_daily')
    .select([
      'date',
      sql<string | null>`sum(reads)`.as('reads'),
      sql<string | null>`sum(shares)`.as('shares'),
    ])
    .where('content_id', 'in', contentIds)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .groupBy('date')
    .orderBy('date')
    .execute();
  return rows.map((r) => ({ date: r.date, reads: num(r.reads), shares: num(r.shares) }));
}

/** Net new followers of the given accounts, per day in [from, to]. */
export async function accountDays(
  db: DbOrTx,
  accountIds: readonly string[],
  from: string,
  to: string,
): Promise<AccountDay[]> {
  if (accountIds.length === 0) return [];
  const known = sql`new_followers is not null and lost_followers is not null`;
  const rows = await db
    .selectFrom('metric_account_daily')
    .select([
      'date',
      sql<string | null>`sum(new_followers - lost_followers) filter (where ${known})`.as('net'),
      sql<string>`count(*) filter (where ${known})`.as('accounts'),
    ])
    .where('account_id', 'in', accountIds)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .groupBy('date')
    .orderBy('date')
    .execute();
  return rows.map((r) => ({ date: r.date, net: num(r.net), accounts: Number(r.accounts) }));
}

export async function organisationAccountIds(db: DbOrTx, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('accounts')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

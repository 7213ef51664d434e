/**
 * The data generator of bench/portal.bench.ts: an organisation's WeChat accounts with daily figures
 * written through the write path (`writeMetrics`: upserts + weekly and monthly rollups), three articles
 * a week per account with three days of figures each, the contract's KPI targets and a few campaigns.
 * Figures come from a seeded generator, so every run writes the same values (dates are relative to
 * the day of the run).
 */
import type { Kysely } from 'kysely';
import { addDays, daysInclusive, eachDay } from '../core/calendar/days.js';
import type { Database } from '../core/db/database.js';
import { writeMetrics } from '../core/metrics/metrics.store.js';
import type { AccountDayFigures, ArticleDayFigures } from '../integrations/platform.js';
import { insertWechatAccount } from '../tests/helpers/services.js';

/** mulberry32: a small seeded generator in [0, 1). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TOPICS = ['公益体彩', '全民健身', '开奖公告', '政策解读', '便民服务', '青少年体育', '社区活动'];

/** One account's days and articles over [from, to]; `index` picks its size and seed. */
export function accountFigures(index: number, from: string, to: string) {
  const next = generator(7919 * (index + 1));
  const scale = 0.3 + next() * 1.7;
  const days = eachDay(from, to);
  let followers = Math.round((8_000 + next() * 40_000) * scale);
  const accountDays: AccountDayFigures[] = days.map((date, d) => {
    const weekend = [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
    const newFollowers = Math.round((25 + next() * 40) * scale * (weekend ? 0.7 : 1));
    const lostFollowers = Math.round((8 + next() * 18) * scale);
    followers += newFollowers - lostFollowers;
    const reads = Math.round(
      (1_500 + next() * 2_500) * scale * (1 + (0.3 * d) / days.length) * (weekend ? 0.6 : 1),
    );
    return {
      date,
      followers,
      newFollowers,
      lostFollowers,
      reads,
      readers: Math.round(reads * (0.65 + next() * 0.1)),
      shares: Math.round(reads * (0.01 + next() * 0.02)),
    };
  });
  const articleDays: ArticleDayFigures[] = [];
  for (let d = 0; d < days.length; d += 7)
    for (const [k, offset] of [0, 2, 4].entries()) {
      const published = days[d + offset];
      if (!published) continue;
      const id = `bench_${index}_${d}_${k}`;
      const title = `${TOPICS[(d / 7 + k + index) % TOPICS.length]}：第 ${d / 7 + 1} 周第 ${k + 1} 篇`;
      const peak = Math.round((800 + next() * 6_000) * scale);
      for (const [age, share] of [1, 0.35, 0.1].entries()) {
        const date = addDays(published, age);
        if (date > to) break;
        const reads = Math.round(peak * share);
        articleDays.push({
          date,
          externalArticleId: id,
          title,
          reads,
          readers: Math.round(reads * 0.7),
          shares: Math.round(reads * 0.02),
          likes: Math.round(reads * 0.01),
          comments: Math.round(reads * 0.002),
          favourites: Math.round(reads * 0.003),
        });
      }
    }
  return { accountDays, articleDays };
}

/** Runs `work` over the items with at most `n` at once. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export interface SeedOptions {
  accounts: number;
  /** First and last day with figures. */
  from: string;
  to: string;
  today: string;
  campaigns: number;
  concurrency: number;
}

/**
 * Seeds an organisation: accounts and their figures (one transaction per account: every day and
 * article at once, then the rollups), 4 KPI targets, `campaigns` campaigns spread over the range.
 */
export async function seedPortalOrganisation(
  db: Kysely<Database>,
  organisationId: string,
  o: SeedOptions,
): Promise<{ accountRows: number; articleRows: number }> {
  const accountIds: string[] = [];
  for (let i = 0; i < o.accounts; i++)
    accountIds.push(
      await insertWechatAccount(db, organisationId, `体彩政务号 ${i + 1}`, `wx_${organisationId}_${i}`),
    );
  let accountRows = 0;
  let articleRows = 0;
  await pool([...accountIds.entries()], o.concurrency, async ([i, accountId]) => {
    const figures = accountFigures(i, o.from, o.to);
    const written = await db.transaction().execute((tx) => writeMetrics(tx, accountId, figures));
    accountRows += written.accountRows;
    articleRows += written.articleRows;
  });

  // A contract over the whole range and a year beyond it, as the city contracts run.
  const contract = { contract_start: o.from, contract_end: addDays(o.today, 365), created_by: null };
  const followersNow = await db
    .selectFrom('metric_account_daily')
    .where('date', '=', o.to)
    .where('account_id', 'in', accountIds)
    .select((eb) => eb.fn.sum<string>('followers').as('n'))
    .executeTakeFirstOrThrow();
  const now = Number(followersNow.n);
  const firstMonday = eachDay(o.from, addDays(o.from, 6)).find(
    (d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 1,
  ) as string;
  await db
    .insertInto('kpi_targets')
    .values([
      {
        ...contract,
        organisation_id: organisationId,
        account_id: null,
        metric: 'followers_total',
        name: '粉丝总数（合同目标）',
        baseline: null,
        milestones: JSON.stringify([
          { date: addDays(o.today, 90), kind: 'absolute', value: Math.round(now * 1.05) },
          { date: addDays(o.today, 365), kind: 'absolute', value: Math.round(now * 1.2) },
        ]),
      },
      {
        ...contract,
        organisation_id: organisationId,
        account_id: null,
        metric: 'weekly_average_reads',
        name: '周均阅读量较合同首月基线增长',
        baseline: JSON.stringify({ kind: 'period', from: firstMonday, to: addDays(firstMonday, 27) }),
        milestones: JSON.stringify([
          { date: addDays(o.today, 90), kind: 'percent', value: 10 },
          { date: addDays(o.today, 365), kind: 'percent', value: 20 },
        ]),
      },
      {
        ...contract,
        organisation_id: organisationId,
        account_id: null,
        metric: 'monthly_original_articles',
        name: '每月原创文章',
        baseline: null,
        milestones: JSON.stringify([{ date: addDays(o.today, 365), kind: 'absolute', value: 8 }]),
      },
      {
        ...contract,
        organisation_id: organisationId,
        account_id: null,
        metric: 'sla_compliance_rate',
        name: '发布时效达标率',
        baseline: null,
        milestones: JSON.stringify([{ date: addDays(o.today, 365), kind: 'absolute', value: 95 }]),
      },
    ])
    .execute();

  // Campaigns of two to three weeks, evenly spread, the last one ending a few days before `to`.
  const span = daysInclusive(o.from, o.to);
  const campaigns = Array.from({ length: o.campaigns }, (_, k) => {
    const startsOn = addDays(o.from, Math.round(((k + 1) * span) / (o.campaigns + 1)) - 14);
    return {
      organisation_id: organisationId,
      type: (['theme', 'marketing', 'topic'] as const)[k % 3] as 'theme' | 'marketing' | 'topic',
      name: `${TOPICS[k % TOPICS.length]}主题宣传活动（第 ${k + 1} 期）`,
      starts_on: startsOn,
      ends_on: addDays(startsOn, 13 + (k % 2) * 7),
      goals: JSON.stringify([
        { metric: 'net_followers', target: 500 * o.accounts },
        { metric: 'reads', target: 20_000 * o.accounts },
      ]),
      created_by: null,
    };
  });
  if (campaigns.length > 0) await db.insertInto('campaigns').values(campaigns).execute();
  return { accountRows, articleRows };
}

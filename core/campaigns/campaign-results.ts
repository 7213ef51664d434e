import { addDays, daysInclusive, eachDay } from '../calendar/days.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import {
  type AccountDay,
  type ArticleDay,
  accountDays,
  articleDays,
  organisationAccountIds,
} from './campaign-metrics.repository.js';
import { findCampaign, linkedContentRows } from './campaigns.repository.js';
import type { CampaignGoal } from './campaigns.table.js';

/**
 * What a campaign achieved, from the daily figures:
 * - reads and shares: Σ metric_article_daily of the linked contents' articles, days in [startsOn, endsOn];
 * - net followers: Σ (new − lost) of metric_account_daily over the campaign, against the period of the
 *   same length just before it. Which accounts: those the linked contents were published on, when any
 *   content is linked (a Weibo campaign is not credited with the WeChat account's growth, nor the reverse);
 *   every account of the organisation while nothing is linked yet. `scope` says which applied.
 * Figures may be missing (a data set late, Weibo keeps no history): a sum covers the days that have
 * data, `daysWithData` says how many did, and a sum over no data at all is null, never 0.
 */

export const MEASURED_GOALS = ['reads', 'shares', 'net_followers'] as const;
export type MeasuredGoal = (typeof MEASURED_GOALS)[number];

export interface Measure {
  total: number | null;
  daysWithData: number;
}

export interface GoalResult {
  metric: string;
  target: number;
  note: string | null;
  /** false: a goal this service does not measure (only reads, shares and net_followers are). */
  measured: boolean;
  achieved: number | null;
  /** achieved ÷ target × 100, 2 decimals; null when unmeasured, unknown or the target is 0. */
  percent: number | null;
  met: boolean | null;
}

export interface DayResult {
  date: string;
  reads: number | null;
  shares: number | null;
  netFollowers: number | null;
}

export interface CampaignResults {
  startsOn: string;
  endsOn: string;
  days: number;
  linkedContents: number;
  reads: Measure;
  shares: Measure;
  netFollowers: Measure & {
    scope: 'linked_accounts' | 'organisation';
    accounts: number;
    /** Account-days in the campaign without both new and lost figures. */
    missingAccountDays: number;
    before: Measure & { from: string; to: string };
    /** during − before; null when either is unknown. */
    uplift: number | null;
    /** uplift ÷ |before| × 100, 2 decimals; null when before is 0 or unknown. */
    upliftPercent: number | null;
  };
  goals: GoalResult[];
  series: DayResult[];
}

function round2(x: number): number {
  const scaled = Number((Math.abs(x) * 100).toPrecision(15));
  return (Math.sign(x) * Math.round(scaled)) / 100;
}

function measure(values: Array<number | null>): Measure {
  const known = values.filter((v): v is number => v !== null);
  return { total: known.length ? known.reduce((a, b) => a + b, 0) : null, daysWithData: known.length };
}

function goalResult(goal: CampaignGoal, achievedOf: Record<MeasuredGoal, number | null>): GoalResult {
  const measured = (MEASURED_GOALS as readonly string[]).includes(goal.metric);
  const achieved = measured ? achievedOf[goal.metric as MeasuredGoal] : null;
  return {
    metric: goal.metric,
    target: goal.target,
    note: goal.note ?? null,
    measured,
    achieved,
    percent: achieved === null || goal.target === 0 ? null : round2((achieved / goal.target) * 100),
    met: achieved === null ? null : achieved >= goal.target,
  };
}

/** The arithmetic of campaignResults, on figures already read. */
export function summariseResults(input: {
  startsOn: string;
  endsOn: string;
  goals: readonly CampaignGoal[];
  linkedContents: number;
  scope: 'linked_accounts' | 'organisation';
  accounts: number;
  articleDays: readonly ArticleDay[];
  /** Daily account figures covering the period before and the campaign. */
  accountDays: readonly AccountDay[];
}): CampaignResults {
  const { startsOn, endsOn } = input;
  const days = daysInclusive(startsOn, endsOn);
  const beforeFrom = addDays(startsOn, -days);
  const beforeTo = addDays(startsOn, -1);
  const article = new Map(input.articleDays.map((d) => [d.date, d]));
  const account = new Map(input.accountDays.map((d) => [d.date, d]));

  const series: DayResult[] = eachDay(startsOn, endsOn).map((date) => ({
    date,
    reads: article.get(date)?.reads ?? null,
    shares: article.get(date)?.shares ?? null,
    netFollowers: account.get(date)?.net ?? null,
  }));
  const reads = measure(series.map((d) => d.reads));
  const shares = measure(series.map((d) => d.shares));
  const during = measure(series.map((d) => d.netFollowers));
  const before = measure(eachDay(beforeFrom, beforeTo).map((date) => account.get(date)?.net ?? null));
  const reported = series.reduce((n, d) => n + (account.get(d.date)?.accounts ?? 0), 0);
  const uplift = during.total === null || before.total === null ? null : during.total - before.total;

  return {
    startsOn,
    endsOn,
    days,
    linkedContents: input.linkedContents,
    reads,
    shares,
    netFollowers: {
      ...during,
      scope: input.scope,
      accounts: input.accounts,
      missingAccountDays: input.accounts * days - reported,
      before: { ...before, from: beforeFrom, to: beforeTo },
      uplift,
      upliftPercent:
        uplift === null || !before.total ? null : round2((uplift / Math.abs(before.total)) * 100),
    },
    goals: input.goals.map((g) =>
      goalResult(g, { reads: reads.total, shares: shares.total, net_followers: during.total }),
    ),
    series,
  };
}

/** The results of one campaign (see the module comment for what is counted). */
export async function campaignResults(db: DbOrTx, campaignId: string): Promise<CampaignResults> {
  const campaign = await findCampaign(db, campaignId);
  if (!campaign) throw new AppError('CAMPAIGN_NOT_FOUND', 'No such campaign', 404, { id: campaignId });
  const contents = await linkedContentRows(db, campaignId);
  const contentIds = contents.map((c) => c.id);
  const linkedAccounts = [...new Set(contents.map((c) => c.account_id))].sort();
  const accountIds = linkedAccounts.length
    ? linkedAccounts
    : await organisationAccountIds(db, campaign.organisation_id);
  const { starts_on: startsOn, ends_on: endsOn } = campaign;
  const beforeFrom = addDays(startsOn, -daysInclusive(startsOn, endsOn));
  return summariseResults({
    startsOn,
    endsOn,
    goals: campaign.goals,
    linkedContents: contents.length,
    scope: linkedAccounts.length ? 'linked_accounts' : 'organisation',
    accounts: accountIds.length,
    articleDays: await articleDays(db, contentIds, startsOn, endsOn),
    accountDays: await accountDays(db, accountIds, beforeFrom, endsOn),
  });
}

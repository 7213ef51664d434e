import { type Selectable, sql } from 'kysely';
import { recordActorAudit } from '../audit/audit.repository.js';
import { addDays, checkDay } from '../calendar/days.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import { checkMetricsRange, dayOf } from '../metrics/ingest.js';
import {
  type Baseline,
  campaignCounts,
  evaluateGrowth,
  evaluateQuota,
  GROWTH_METRICS,
  type GrowthEvaluation,
  type KpiMetric,
  type Milestone,
  mondayOf,
  type QuotaEvaluation,
  quotaPeriod,
  type WeekPoint,
  weeklyAverageReads,
} from './kpi.compute.js';
import type { KpiTargetsTable } from './kpi.table.js';

/**
 * KPI targets of an organisation (or one of its accounts) and their evaluation on demand.
 *
 * Metrics and how their current value is measured (all days Asia/Shanghai):
 * - followers_total: the sum over the accounts of each one's latest follower total;
 * - net_new_followers: new − lost followers since the contract start;
 * - weekly_average_reads: the mean of the weekly article page reads (图文页阅读次数, Monday–Sunday
 *   weeks, every day known) over the last 4 complete weeks; a baseline period uses its own complete weeks;
 * - sla_compliance_rate: published in time ÷ (in time + late) since the contract start, in percent;
 * - monthly_original_articles: published articles marked 原创 in the current calendar month;
 * - campaigns_per_year: campaigns of at least 7 days (not marked as short events) starting in the
 *   current contract year; features_per_year / topic_pages_per_year: deliverables dated in it.
 */

/** Weeks of history the trend sees (the compute module uses the last 12). */
const HISTORY_WEEKS = 26;
/** The current weekly average is taken over this many complete weeks. */
const CURRENT_WEEKS = 4;
export const QUOTA_METRICS: readonly KpiMetric[] = [
  'monthly_original_articles',
  'campaigns_per_year',
  'features_per_year',
  'topic_pages_per_year',
];

export interface TargetInput {
  accountId: string | null;
  metric: KpiMetric;
  name: string;
  baseline: Baseline | null;
  milestones: Milestone[];
  contractStart: string;
  contractEnd: string;
}

export interface TargetView extends TargetInput {
  id: string;
  organisationId: string;
  kind: 'growth' | 'quota';
  createdAt: string;
  updatedAt: string;
}

function targetView(r: Selectable<KpiTargetsTable>): TargetView {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    accountId: r.account_id,
    metric: r.metric,
    kind: QUOTA_METRICS.includes(r.metric) ? 'quota' : 'growth',
    name: r.name,
    baseline: r.baseline,
    milestones: r.milestones,
    contractStart: r.contract_start,
    contractEnd: r.contract_end,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function invalid(code: string, message: string, zh: string, details: object): AppError {
  return new AppError(code, message, 422, details, zh);
}

/** The rules a schema cannot say; every failure names the field. */
export function checkTarget(input: TargetInput, now: number): void {
  const dates: Array<[string, string]> = [
    ['contractStart', input.contractStart],
    ['contractEnd', input.contractEnd],
    ...input.milestones.map((m, i): [string, string] => [`milestones[${i}].date`, m.date]),
  ];
  if (input.baseline?.kind === 'period')
    dates.push(['baseline.from', input.baseline.from], ['baseline.to', input.baseline.to]);
  for (const [field, value] of dates) checkDay(field, value);
  if (input.contractStart >= input.contractEnd)
    throw invalid(
      'KPI_CONTRACT_REVERSED',
      'contractStart must be before contractEnd',
      '合同开始日期必须早于结束日期。',
      {
        field: 'contractEnd',
      },
    );
  if (input.milestones.length === 0)
    throw invalid('KPI_NO_MILESTONES', 'at least one milestone is needed', '至少需要一个里程碑目标。', {
      field: 'milestones',
    });
  for (const [i, m] of input.milestones.entries()) {
    const field = `milestones[${i}]`;
    if (!Number.isFinite(m.value) || m.value < 0 || (m.kind === 'percent' && m.value > 10_000))
      throw invalid(
        'KPI_BAD_VALUE',
        `${field}.value must be a non-negative number`,
        `“${field}.value”必须是不小于 0 的数字。`,
        {
          field: `${field}.value`,
        },
      );
    if (m.kind === 'percent' && !input.baseline)
      throw invalid(
        'KPI_BASELINE_REQUIRED',
        `${field} is a percentage and needs a baseline`,
        `“${field}”是相对基线的百分比，需要先设置基线。`,
        {
          field: 'baseline',
        },
      );
    if (m.date > input.contractEnd)
      throw invalid(
        'KPI_MILESTONE_AFTER_CONTRACT',
        `${field}.date is after the contract end`,
        `“${field}”的日期晚于合同结束日期。`,
        {
          field: `${field}.date`,
        },
      );
    if (input.baseline?.kind === 'period' && m.date <= input.baseline.to)
      throw invalid(
        'KPI_DEADLINE_BEFORE_BASELINE',
        `${field}.date is not after the baseline period`,
        `“${field}”的日期（${m.date}）不晚于基线期结束（${input.baseline.to}）：目标的期限必须在基线之后。`,
        { field: `${field}.date` },
      );
  }
  const quota = QUOTA_METRICS.includes(input.metric);
  if (quota && (input.milestones.length !== 1 || input.milestones[0]?.kind !== 'absolute'))
    throw invalid(
      'KPI_QUOTA_SHAPE',
      'a quota has one absolute milestone: the count required per period',
      '数量指标只需一个绝对值里程碑：每个周期（月或合同年）要求的数量。',
      {
        field: 'milestones',
      },
    );
  if (input.baseline?.kind === 'period') checkMetricsRange(input.baseline.from, input.baseline.to, now);
  if (
    input.baseline?.kind === 'value' &&
    (!Number.isFinite(input.baseline.value) || input.baseline.value < 0)
  )
    throw invalid(
      'KPI_BAD_VALUE',
      'baseline.value must be a non-negative number',
      '“baseline.value”必须是不小于 0 的数字。',
      {
        field: 'baseline.value',
      },
    );
}

async function assertAccountInOrg(db: DbOrTx, organisationId: string, accountId: string | null) {
  if (!accountId) return;
  const a = await db
    .selectFrom('accounts')
    .select('id')
    .where('id', '=', accountId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (!a)
    throw invalid(
      'ACCOUNT_NOT_IN_ORGANISATION',
      'the account does not belong to this organisation',
      '该账号不属于这个单位。',
      {
        field: 'accountId',
      },
    );
}

const auditTarget = (
  db: DbOrTx,
  actor: Actor,
  action: string,
  id: string,
  organisationId: string,
  details: object,
) => recordActorAudit(db, actor, { action, targetType: 'kpi_target', targetId: id, organisationId, details });

const columns = (input: TargetInput) => ({
  account_id: input.accountId,
  metric: input.metric,
  name: input.name,
  baseline: input.baseline ? JSON.stringify(input.baseline) : null,
  milestones: JSON.stringify(input.milestones),
  contract_start: input.contractStart,
  contract_end: input.contractEnd,
});

export interface KpiContext {
  db: import('../db/database.js').Db;
  now?: () => number;
  onChange?: (organisationId: string) => Promise<void>;
}

export async function listTargets(db: DbOrTx, organisationId: string): Promise<TargetView[]> {
  const rows = await db
    .selectFrom('kpi_targets')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at')
    .execute();
  return rows.map(targetView);
}

export async function createTarget(
  ctx: KpiContext,
  actor: Actor,
  organisationId: string,
  input: TargetInput,
) {
  checkTarget(input, (ctx.now ?? Date.now)());
  const view = await ctx.db.transaction().execute(async (tx) => {
    await assertAccountInOrg(tx, organisationId, input.accountId);
    const r = await tx
      .insertInto('kpi_targets')
      .values({ organisation_id: organisationId, created_by: actor.userId, ...columns(input) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await auditTarget(tx, actor, 'kpi_target.created', r.id, organisationId, input);
    return targetView(r);
  });
  await ctx.onChange?.(organisationId);
  return view;
}

export async function updateTarget(
  ctx: KpiContext,
  actor: Actor,
  organisationId: string,
  id: string,
  input: TargetInput,
) {
  checkTarget(input, (ctx.now ?? Date.now)());
  const view = await ctx.db.transaction().execute(async (tx) => {
    await assertAccountInOrg(tx, organisationId, input.accountId);
    const r = await tx
      .updateTable('kpi_targets')
      .set({ ...columns(input), updated_at: new Date() })
      .where('id', '=', id)
      .where('organisation_id', '=', organisationId)
      .returningAll()
      .executeTakeFirst();
    if (!r) throw new AppError('KPI_TARGET_NOT_FOUND', 'No such target', 404);
    await auditTarget(tx, actor, 'kpi_target.updated', id, organisationId, input);
    return targetView(r);
  });
  await ctx.onChange?.(organisationId);
  return view;
}

export async function deleteTarget(ctx: KpiContext, actor: Actor, organisationId: string, id: string) {
  await ctx.db.transaction().execute(async (tx) => {
    const r = await tx
      .deleteFrom('kpi_targets')
      .where('id', '=', id)
      .where('organisation_id', '=', organisationId)
      .returning(['id', 'name', 'metric'])
      .executeTakeFirst();
    if (!r) throw new AppError('KPI_TARGET_NOT_FOUND', 'No such target', 404);
    await auditTarget(tx, actor, 'kpi_target.deleted', id, organisationId, {
      name: r.name,
      metric: r.metric,
    });
  });
  await ctx.onChange?.(organisationId);
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

export interface TargetSummary {
  target: TargetView;
  growth: GrowthEvaluation | null;
  quota: (QuotaEvaluation & { periodStart: string; periodEnd: string }) | null;
}

/** The accounts a target measures: its own, or every account of the organisation. */
async function accountsOf(db: DbOrTx, organisationId: string, accountId: string | null): Promise<string[]> {
  if (accountId) return [accountId];
  const rows = await db
    .selectFrom('accounts')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .execute();
  return rows.map((r) => r.id);
}

/** Per day, the sum over the accounts; a day no account reported stays null. */
async function dailyTotals(db: DbOrTx, accounts: string[], from: string, to: string) {
  if (accounts.length === 0) return [];
  const r = await sql<{ date: string; reads: string | null }>`
    select date::text as date, sum(reads) as reads
    from metric_account_daily
    where account_id = any(${accounts}::uuid[]) and date between ${from}::date and ${to}::date
    group by date order by date`.execute(db);
  return r.rows.map((x) => ({ date: x.date, reads: x.reads === null ? null : Number(x.reads) }));
}

/** Weekly rollups summed over the accounts, oldest first. */
async function weeklyTotals(db: DbOrTx, accounts: string[], from: string, to: string) {
  if (accounts.length === 0) return [];
  const r = await sql<{
    week: string;
    followers: string | null;
    net: string | null;
    reads: string | null;
    days: string;
  }>`
    select period_start::text as week, sum(followers_end) as followers,
           sum(coalesce(new_followers, 0) - coalesce(lost_followers, 0)) as net,
           sum(reads) as reads, min(days_with_data) as days
    from metric_account_periods
    where account_id = any(${accounts}::uuid[]) and granularity = 'week'
      and period_start between ${from}::date and ${to}::date
    group by period_start order by period_start`.execute(db);
  return r.rows.map((x) => ({
    week: x.week,
    followers: x.followers === null ? null : Number(x.followers),
    net: x.net === null ? null : Number(x.net),
    reads: x.reads === null ? null : Number(x.reads),
    days: Number(x.days),
  }));
}

/** The sum of each account's latest follower total in [from, to] (one index probe per account). */
async function followersAt(db: DbOrTx, accounts: string[], from: string, to: string) {
  if (accounts.length === 0) return { value: null, asOf: null };
  const r = await sql<{ total: string | null; as_of: string | null }>`
    select sum(f.followers) as total, min(f.date)::text as as_of
    from unnest(${accounts}::uuid[]) as a(id)
    cross join lateral (
      select followers, date from metric_account_daily
      where account_id = a.id and followers is not null and date between ${from}::date and ${to}::date
      order by date desc limit 1
    ) f`.execute(db);
  const row = r.rows[0];
  return { value: row?.total == null ? null : Number(row.total), asOf: row?.as_of ?? null };
}

/** New − lost followers over [from, to]: whole weeks from the weekly rollups, the edges from daily rows. */
async function netFollowers(
  db: DbOrTx,
  accounts: string[],
  from: string,
  to: string,
): Promise<number | null> {
  if (accounts.length === 0 || from > to) return null;
  const firstMonday = mondayOf(from) === from ? from : addDays(mondayOf(from), 7);
  const lastMonday = addDays(mondayOf(addDays(to, 1)), -7); // the last week ending by `to`
  const daily = (a: string, b: string) => sql`
    select coalesce(new_followers, 0) - coalesce(lost_followers, 0) as net from metric_account_daily
    where account_id = any(${accounts}::uuid[]) and date between ${a}::date and ${b}::date
      and (new_followers is not null or lost_followers is not null)`;
  const parts =
    firstMonday > lastMonday
      ? daily(from, to)
      : sql`${daily(from, addDays(firstMonday, -1))}
        union all ${daily(addDays(lastMonday, 7), to)}
        union all select coalesce(new_followers, 0) - coalesce(lost_followers, 0) from metric_account_periods
          where account_id = any(${accounts}::uuid[]) and granularity = 'week'
            and period_start between ${firstMonday}::date and ${lastMonday}::date
            and (new_followers is not null or lost_followers is not null)`;
  const r = await sql<{ net: string | null }>`select sum(net) as net from (${parts}) p`.execute(db);
  const net = r.rows[0]?.net;
  return net == null ? null : Number(net);
}

async function slaRate(db: DbOrTx, organisationId: string, from: string, to: string) {
  const r = await sql<{ met: string; missed: string }>`
    select count(*) filter (where outcome = 'met') as met, count(*) filter (where outcome = 'missed') as missed
    from sla_records where organisation_id = ${organisationId}
      and approved_at >= ${`${from}T00:00:00+08:00`}::timestamptz
      and approved_at < ${`${addDays(to, 1)}T00:00:00+08:00`}::timestamptz`.execute(db);
  const met = Number(r.rows[0]?.met ?? 0);
  const missed = Number(r.rows[0]?.missed ?? 0);
  return met + missed === 0 ? null : Math.round((met / (met + missed)) * 10_000) / 100;
}

/** The value of a growth metric over a baseline period. */
async function baselineValue(db: DbOrTx, t: TargetView, accounts: string[]): Promise<number | null> {
  const b = t.baseline;
  if (!b) return null;
  if (b.kind === 'value') return b.value;
  switch (t.metric) {
    case 'followers_total':
      return (await followersAt(db, accounts, b.from, b.to)).value;
    case 'net_new_followers':
      return netFollowers(db, accounts, b.from, b.to);
    case 'weekly_average_reads':
      return weeklyAverageReads(await dailyTotals(db, accounts, b.from, b.to), b.from, b.to).value;
    case 'sla_compliance_rate':
      return slaRate(db, t.organisationId, b.from, b.to);
    default:
      return null;
  }
}

async function evaluateGrowthTarget(db: DbOrTx, t: TargetView, today: string): Promise<GrowthEvaluation> {
  const accounts = await accountsOf(db, t.organisationId, t.accountId);
  const yesterday = addDays(today, -1);
  // Complete weeks only: the trend must not read a half week as a drop.
  const lastMonday = addDays(mondayOf(today), -7);
  const historyFrom = addDays(lastMonday, -7 * (HISTORY_WEEKS - 1));
  const weeks = await weeklyTotals(db, accounts, historyFrom, lastMonday);
  let current: number | null = null;
  let asOf: string | null = null;
  let history: WeekPoint[] = [];
  switch (t.metric) {
    case 'followers_total': {
      const f = await followersAt(
        db,
        accounts,
        t.contractStart < yesterday ? '2000-01-01' : t.contractStart,
        yesterday,
      );
      current = f.value;
      asOf = f.asOf;
      history = weeks
        .filter((w) => w.followers !== null)
        .map((w) => ({ weekStart: w.week, value: w.followers as number }));
      break;
    }
    case 'net_new_followers': {
      current = await netFollowers(db, accounts, t.contractStart, yesterday);
      asOf = yesterday;
      // Cumulative since the contract start, week by week.
      let running = (await netFollowers(db, accounts, t.contractStart, addDays(historyFrom, -1))) ?? 0;
      history = weeks
        .filter((w) => w.week >= mondayOf(t.contractStart))
        .map((w) => {
          running += w.net ?? 0;
          return { weekStart: w.week, value: running };
        });
      break;
    }
    case 'weekly_average_reads': {
      const from = addDays(lastMonday, -7 * (CURRENT_WEEKS - 1));
      const avg = weeklyAverageReads(
        await dailyTotals(db, accounts, from, addDays(lastMonday, 6)),
        from,
        addDays(lastMonday, 6),
      );
      current = avg.value;
      asOf = avg.value === null ? null : addDays(lastMonday, 6);
      history = weeks
        .filter((w) => w.reads !== null && w.days === 7)
        .map((w) => ({ weekStart: w.week, value: w.reads as number }));
      break;
    }
    case 'sla_compliance_rate': {
      current = await slaRate(db, t.organisationId, t.contractStart, today);
      asOf = today;
      history = [];
      for (let w = historyFrom; w <= lastMonday; w = addDays(w, 7)) {
        const rate = await slaRate(db, t.organisationId, t.contractStart, addDays(w, 6));
        if (rate !== null) history.push({ weekStart: w, value: rate });
      }
      break;
    }
  }
  const base = await baselineValue(db, t, accounts);
  if (base === null && t.milestones.some((m) => m.kind === 'percent'))
    return {
      metric: t.metric,
      baselineValue: null,
      current,
      currentAsOf: asOf,
      milestones: [],
      trend: null,
      status: 'at_risk',
      statusReason: '基线期没有数据：请补采或导入基线期的数据，才能计算百分比目标。',
    };
  return evaluateGrowth({
    metric: t.metric,
    baselineValue: base,
    current,
    currentAsOf: asOf,
    milestones: t.milestones,
    contractStart: t.contractStart,
    contractEnd: t.contractEnd,
    today,
    history,
  });
}

/** How many of a quota's items are done in [start, end]. */
async function quotaDone(db: DbOrTx, t: TargetView, start: string, end: string): Promise<number> {
  const from = new Date(`${start}T00:00:00+08:00`);
  const until = new Date(`${addDays(end, 1)}T00:00:00+08:00`);
  switch (t.metric) {
    case 'monthly_original_articles': {
      const r = await sql<{ n: string }>`
        select count(*) as n
        from contents c
        join content_revisions r on r.content_id = c.id and r.revision = c.approved_revision
        cross join lateral jsonb_array_elements(coalesce(r.body->'articles', '[]'::jsonb)) a
        where c.organisation_id = ${t.organisationId} and c.status = 'published'
          and c.published_at >= ${from} and c.published_at < ${until}
          and (a->>'original')::boolean is true
          ${t.accountId ? sql`and c.account_id = ${t.accountId}` : sql``}`.execute(db);
      return Number(r.rows[0]?.n ?? 0);
    }
    case 'campaigns_per_year': {
      const rows = await db
        .selectFrom('campaigns')
        .select(['starts_on', 'ends_on'])
        .where('organisation_id', '=', t.organisationId)
        .where('short_event', '=', false)
        .where('starts_on', '>=', start)
        .where('starts_on', '<=', end)
        .execute();
      return rows.filter((c) => campaignCounts(c.starts_on, c.ends_on)).length;
    }
    default: {
      const r = await db
        .selectFrom('deliverables')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organisation_id', '=', t.organisationId)
        .where('kind', '=', t.metric === 'features_per_year' ? 'feature' : 'topic_page')
        .where('delivered_on', '>=', start)
        .where('delivered_on', '<=', end)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    }
  }
}

export async function evaluateTarget(db: DbOrTx, t: TargetView, now: number): Promise<TargetSummary> {
  const today = dayOf(now);
  if (GROWTH_METRICS.includes(t.metric))
    return { target: t, growth: await evaluateGrowthTarget(db, t, today), quota: null };
  const period = quotaPeriod(t.metric, today, t.contractStart);
  const required = t.milestones[0]?.value ?? 0;
  const done = await quotaDone(db, t, period.start, period.end);
  const q = evaluateQuota({
    metric: t.metric,
    required,
    done,
    periodStart: period.start,
    periodEnd: period.end,
    today,
  });
  return { target: t, growth: null, quota: { ...q, periodStart: period.start, periodEnd: period.end } };
}

/** Every target of the organisation, evaluated. */
export async function kpiSummary(db: DbOrTx, organisationId: string, now = Date.now()) {
  const targets = await listTargets(db, organisationId);
  const items: TargetSummary[] = [];
  for (const t of targets) items.push(await evaluateTarget(db, t, now));
  const counts = { on_track: 0, at_risk: 0, off_track: 0 };
  for (const i of items) counts[(i.growth ?? i.quota)?.status ?? 'at_risk']++;
  return { organisationId, asOf: new Date(now).toISOString(), today: dayOf(now), counts, items };
}

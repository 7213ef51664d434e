/**
 * KPI arithmetic for a client contract: weekly average reads, milestone targets, the trend forecast and
 * the on-track / at-risk / off-track verdicts. Pure: no database, no clock — callers pass `today`.
 *
 * Every date is an Asia/Shanghai calendar day 'YYYY-MM-DD'. Date arithmetic runs on the UTC midnight
 * of that string, so the server's time zone can never shift a day.
 */

export const KPI_METRICS = [
  'followers_total',
  'net_new_followers',
  'weekly_average_reads',
  'monthly_original_articles',
  'campaigns_per_year',
  'features_per_year',
  'topic_pages_per_year',
  'sla_compliance_rate',
] as const;
export type KpiMetric = (typeof KPI_METRICS)[number];

/** Growth metrics are measured against a baseline and milestones; count metrics (quotas) per month or year. */
export const GROWTH_METRICS: readonly KpiMetric[] = [
  'followers_total',
  'net_new_followers',
  'weekly_average_reads',
  'sla_compliance_rate',
];

export type Baseline = { kind: 'period'; from: string; to: string } | { kind: 'value'; value: number };
export interface Milestone {
  date: string;
  kind: 'absolute' | 'percent';
  value: number;
  label?: string;
}
export type KpiStatus = 'on_track' | 'at_risk' | 'off_track';
/** weekStart is a Monday. */
export interface WeekPoint {
  weekStart: string;
  value: number;
}
export interface DayReads {
  date: string;
  reads: number | null;
}

// ---------------------------------------------------------------------------------------------- days

const DAY_MS = 86_400_000;
const DAY_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

function dayMs(day: string): number {
  const ms = Date.parse(`${day}T00:00:00Z`);
  // The round trip rejects days that Date.parse would quietly roll over, such as 2022-02-30.
  if (!DAY_FORMAT.test(day) || Number.isNaN(ms) || msDay(ms) !== day) {
    throw new Error(`not a calendar day: ${day}`);
  }
  return ms;
}

function msDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return msDay(dayMs(day) + n * DAY_MS);
}

/** The Monday of the Monday–Sunday week containing `day`. */
export function mondayOf(day: string): string {
  const weekday = new Date(dayMs(day)).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/** Days from `from` to `to`, divided by 7; negative when `to` is earlier. */
export function weeksBetween(from: string, to: string): number {
  return (dayMs(to) - dayMs(from)) / DAY_MS / 7;
}

/** Rounds half away from zero; toPrecision strips binary noise first, so 1.005 → 1.01. */
function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const scaled = Number((Math.abs(x) * f).toPrecision(15));
  return (Math.sign(x) * Math.round(scaled)) / f;
}

// ------------------------------------------------------------------------------ weekly average reads

/**
 * Weekly average reads (周均阅读量) over [from, to].
 *
 * Definition:
 * - Weeks run Monday–Sunday, in Asia/Shanghai calendar days.
 * - A week counts when all 7 of its days lie inside [from, to] AND all 7 have a reads figure (not null,
 *   not absent). Weeks cut by either end of the range are outside it and are neither counted nor listed.
 * - A week's reads are the sum of its 7 days' article page reads.
 * - The value is the mean of the counted weeks' sums, rounded to 2 decimals; null when no week counts.
 * - Weeks inside the range with a missing day are listed in `incompleteWeeks` (by their Monday) and left out.
 *
 * Example: November 2021 (1 November was a Monday) has exactly 4 complete weeks, 1–28 November;
 * 29–30 November belong to a week that ends in December and are not counted.
 *
 * Throws when a date appears twice in `days`: the caller must combine accounts before, not after.
 */
export function weeklyAverageReads(
  days: DayReads[],
  from: string,
  to: string,
): { value: number | null; weeks: number; incompleteWeeks: string[] } {
  const reads = new Map<string, number | null>();
  for (const d of days) {
    if (reads.has(d.date)) throw new Error(`reads given twice for ${d.date}`);
    reads.set(d.date, d.reads);
  }
  const totals: number[] = [];
  const incompleteWeeks: string[] = [];
  const last = dayMs(to);
  let monday = mondayOf(from);
  if (monday < from) monday = addDays(monday, 7);
  for (; dayMs(monday) + 6 * DAY_MS <= last; monday = addDays(monday, 7)) {
    let total = 0;
    let complete = true;
    for (let i = 0; i < 7; i++) {
      const r = reads.get(addDays(monday, i));
      if (r == null || !Number.isFinite(r)) complete = false;
      else total += r;
    }
    if (complete) totals.push(total);
    else incompleteWeeks.push(monday);
  }
  const value = totals.length === 0 ? null : round(totals.reduce((a, b) => a + b, 0) / totals.length, 2);
  return { value, weeks: totals.length, incompleteWeeks };
}

// -------------------------------------------------------------------------------------- milestones

/** absolute → value; percent → baseline × (1 + value/100). */
export function milestoneTarget(m: Milestone, baselineValue: number | null): number {
  if (m.kind === 'absolute') return m.value;
  if (baselineValue === null) throw new Error(`percent milestone ${m.date} needs a baseline value`);
  // (100 + p) / 100 rather than 1 + p/100: 10,000 × 110 / 100 is exactly 11,000.
  return (baselineValue * (100 + m.value)) / 100;
}

// --------------------------------------------------------------------------------------------- trend

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const hi = s[mid] ?? Number.NaN;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? Number.NaN) + hi) / 2;
}

/**
 * Theil–Sen line: slope = median of the pairwise slopes (pairs with equal x skipped), intercept =
 * median of (y − slope·x). Chosen for the forecast because one bad week (a platform outage reading 0)
 * cannot drag it: the breakdown point is about 29%. Null with fewer than 2 distinct x.
 */
export function theilSen(
  points: Array<{ x: number; y: number }>,
): { slope: number; intercept: number } | null {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i];
      const b = points[j];
      if (a && b && a.x !== b.x) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  if (slopes.length === 0) return null;
  const slope = median(slopes);
  return { slope, intercept: median(points.map((p) => p.y - slope * p.x)) };
}

const TREND_WINDOW = 12;
const TREND_MIN_POINTS = 4;

interface Trend {
  origin: WeekPoint;
  used: number;
  slope: number;
  intercept: number;
}

function fitTrend(history: WeekPoint[]): Trend | null {
  const used = history.slice(-TREND_WINDOW);
  const origin = used[0];
  if (!origin || used.length < TREND_MIN_POINTS) return null;
  const line = theilSen(used.map((p) => ({ x: weeksBetween(origin.weekStart, p.weekStart), y: p.value })));
  return line && { origin, used: used.length, ...line };
}

// ---------------------------------------------------------------------------------------- evaluation

export interface MilestoneEvaluation {
  date: string;
  label: string | null;
  target: number;
  /** current / target × 100, 1 decimal; null without a current value (or when the target is 0) */
  percentOfTarget: number | null;
  /** (current − baseline) / (target − baseline) × 100, 1 decimal; null without baseline or when target = baseline */
  progressFromBaseline: number | null;
  /** 'upcoming' or, once the date has passed, 'met' | 'missed' judged by the history value of the week containing the date (or the last point before it); 'unknown' if there is none */
  state: 'upcoming' | 'met' | 'missed' | 'unknown';
  /** from today to the date, ≥ 0, 1 decimal */
  weeksLeft: number;
  /** (target − current) / weeksLeft, per week, 2 decimals; 0 if already reached; null if no current or weeksLeft = 0 */
  requiredWeeklyGrowth: number | null;
  /** the same as a percentage of current, 2 decimals */
  requiredWeeklyGrowthPercent: number | null;
  /** the trend line's value at the milestone date, 2 decimals; null without a trend */
  forecast: number | null;
}

export interface GrowthEvaluation {
  metric: KpiMetric;
  baselineValue: number | null;
  current: number | null;
  currentAsOf: string | null;
  milestones: MilestoneEvaluation[];
  trend: { method: 'theil-sen'; weeksUsed: number; slopePerWeek: number } | null;
  status: KpiStatus;
  /** In Chinese, one short sentence. */
  statusReason: string;
}

export interface GrowthInput {
  metric: KpiMetric;
  baselineValue: number | null;
  current: number | null;
  currentAsOf: string | null;
  milestones: Milestone[];
  contractStart: string;
  contractEnd: string;
  today: string;
  history: WeekPoint[];
  /** Default true. False mirrors every comparison (a target to stay under). */
  higherIsBetter?: boolean;
}

/** Share of the remaining way to the target that the forecast covers: at least 1 is on track. */
const ON_TRACK_SHARE = 1;
const AT_RISK_SHARE = 0.9;
/** Keeps a share of exactly 0.9 from landing at 0.8999999999 through float arithmetic. */
const EPSILON = 1e-9;

/**
 * Evaluates a growth metric against its milestones.
 *
 * Trend: Theil–Sen over the last 12 points of `history` (x = weeks since the first used point's Monday),
 * needing at least 4 points. Forecast at date D = intercept + slope × weeks from that first point to D.
 *
 * Status is judged on the next upcoming milestone (the earliest dated today or later):
 *
 * | Situation                                              | Status      |
 * |--------------------------------------------------------|-------------|
 * | current ≥ target already                               | on_track    |
 * | share ≥ 1                                              | on_track    |
 * | 0.9 ≤ share < 1                                        | at_risk     |
 * | share < 0.9                                            | off_track   |
 * | fewer than 4 history points (no forecast)              | at_risk     |
 * | no upcoming milestone: last milestone met              | on_track    |
 * | no upcoming milestone: last milestone missed           | off_track   |
 * | no upcoming milestone: last milestone unknown          | at_risk     |
 * | no milestones at all                                   | at_risk     |
 *
 * share = (forecast − ref) / (target − ref), where ref is the baseline value, or without one the
 * first history point used by the trend. When target − ref ≤ 0, share = 1 if forecast ≥ target, else 0.
 * With `higherIsBetter: false` every comparison is mirrored (≤ for ≥, ref − forecast over ref − target).
 */
export function evaluateGrowth(input: GrowthInput): GrowthEvaluation {
  const up = input.higherIsBetter ?? true;
  const reached = (value: number, target: number) => (up ? value >= target : value <= target);
  const { baselineValue, current, today } = input;
  const history = [...input.history]
    .filter((p) => Number.isFinite(p.value))
    .sort((a, b) => (a.weekStart < b.weekStart ? -1 : a.weekStart > b.weekStart ? 1 : 0));
  const trend = fitTrend(history);
  const forecastAt = (date: string) =>
    trend && trend.intercept + trend.slope * weeksBetween(trend.origin.weekStart, date);

  const milestones = [...input.milestones].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const evaluations = milestones.map((m): MilestoneEvaluation => {
    const target = milestoneTarget(m, baselineValue);
    const exactWeeksLeft = Math.max(0, weeksBetween(today, m.date));
    let required: number | null = null;
    if (current !== null && reached(current, target)) required = 0;
    else if (current !== null && exactWeeksLeft > 0) required = (target - current) / exactWeeksLeft;
    const forecast = forecastAt(m.date);
    return {
      date: m.date,
      label: m.label ?? null,
      target,
      percentOfTarget: current === null || target === 0 ? null : round((current / target) * 100, 1),
      progressFromBaseline:
        current === null || baselineValue === null || target === baselineValue
          ? null
          : round(((current - baselineValue) / (target - baselineValue)) * 100, 1),
      state: m.date >= today ? 'upcoming' : pastState(history, m.date, target, reached),
      weeksLeft: round(exactWeeksLeft, 1),
      requiredWeeklyGrowth: required === null ? null : round(required, 2),
      requiredWeeklyGrowthPercent:
        required === null || !current ? null : round((required / current) * 100, 2),
      forecast: forecast === null ? null : round(forecast, 2),
    };
  });

  const verdict = judge();
  return {
    metric: input.metric,
    baselineValue,
    current,
    currentAsOf: input.currentAsOf,
    milestones: evaluations,
    trend: trend && { method: 'theil-sen', weeksUsed: trend.used, slopePerWeek: trend.slope },
    ...verdict,
  };

  function judge(): { status: KpiStatus; statusReason: string } {
    const i = milestones.findIndex((m) => m.date >= today);
    if (i === -1) {
      const last = evaluations.at(-1);
      if (!last) return { status: 'at_risk', statusReason: '未设置里程碑目标' };
      const name = last.label ?? last.date;
      if (last.state === 'met')
        return { status: 'on_track', statusReason: `最后一个里程碑（${name}）已达成` };
      if (last.state === 'missed')
        return { status: 'off_track', statusReason: `最后一个里程碑（${name}）未达成` };
      return { status: 'at_risk', statusReason: `缺少${name}当周的数据，无法判断是否达成` };
    }
    const next = evaluations[i] as MilestoneEvaluation;
    const name = next.label ?? next.date;
    if (current !== null && reached(current, next.target)) {
      return { status: 'on_track', statusReason: `当前值已达到里程碑（${name}）目标` };
    }
    const forecast = forecastAt(next.date);
    if (!trend || forecast === null) return { status: 'at_risk', statusReason: '数据不足，无法预测趋势' };
    const ref = baselineValue ?? trend.origin.value;
    const need = up ? next.target - ref : ref - next.target;
    const share =
      need > 0 ? (up ? forecast - ref : ref - forecast) / need : reached(forecast, next.target) ? 1 : 0;
    const pct = `${round(share * 100, 1)}%`;
    if (share >= ON_TRACK_SHARE - EPSILON) {
      return { status: 'on_track', statusReason: `按当前趋势预计可按期达成里程碑（${name}）` };
    }
    if (share >= AT_RISK_SHARE - EPSILON) {
      return { status: 'at_risk', statusReason: `按当前趋势预计到${name}完成 ${pct}，有未达成风险` };
    }
    return { status: 'off_track', statusReason: `按当前趋势预计到${name}仅完成 ${pct}，将无法按期达成` };
  }
}

/** A passed milestone: the week containing its date, else the last week before it. */
function pastState(
  history: WeekPoint[],
  date: string,
  target: number,
  reached: (value: number, target: number) => boolean,
): 'met' | 'missed' | 'unknown' {
  const week = mondayOf(date);
  const point = history.findLast((p) => p.weekStart <= week);
  if (!point) return 'unknown';
  return reached(point.value, target) ? 'met' : 'missed';
}

// -------------------------------------------------------------------------------------------- quotas

/** A campaign counts toward campaigns_per_year when it lasts at least 7 days, both ends included. */
export const MIN_CAMPAIGN_DAYS = 7;

export function campaignCounts(startsOn: string, endsOn: string): boolean {
  return (dayMs(endsOn) - dayMs(startsOn)) / DAY_MS + 1 >= MIN_CAMPAIGN_DAYS;
}

export interface QuotaEvaluation {
  required: number;
  done: number;
  remaining: number;
  /** required × elapsed share of the period (whole days, today included), 2 decimals, within [0, required] */
  expectedByNow: number;
  status: KpiStatus;
  statusReason: string;
}

/**
 * Evaluates a count quota (articles a month, campaigns / features / topic pages a year).
 *
 * | Situation                                         | Status    |
 * |---------------------------------------------------|-----------|
 * | done ≥ required                                   | on_track  |
 * | done ≥ floor(expectedByNow)                       | on_track  |
 * | done = floor(expectedByNow) − 1                   | at_risk   |
 * | done < floor(expectedByNow) − 1                   | off_track |
 * | after periodEnd and done < required               | off_track |
 */
export function evaluateQuota(input: {
  metric: KpiMetric;
  required: number;
  done: number;
  periodStart: string;
  periodEnd: string;
  today: string;
}): QuotaEvaluation {
  const { required, done, today } = input;
  const start = dayMs(input.periodStart);
  const totalDays = (dayMs(input.periodEnd) - start) / DAY_MS + 1;
  const elapsedDays = (dayMs(today) - start) / DAY_MS + 1;
  const share = Math.min(1, Math.max(0, elapsedDays / totalDays));
  const expectedByNow = Math.min(required, Math.max(0, round(required * share, 2)));
  const base = { required, done, remaining: Math.max(0, required - done), expectedByNow };
  const progress = `已完成 ${done}/${required}`;

  if (done >= required) return { ...base, status: 'on_track', statusReason: `${progress}，已达成` };
  if (today > input.periodEnd) {
    return { ...base, status: 'off_track', statusReason: `周期已结束，${progress}，未达成` };
  }
  const expected = Math.floor(expectedByNow);
  if (done >= expected) return { ...base, status: 'on_track', statusReason: `${progress}，进度正常` };
  if (done >= expected - 1) {
    return { ...base, status: 'at_risk', statusReason: `${progress}，按进度此时应完成 ${expected}` };
  }
  return { ...base, status: 'off_track', statusReason: `${progress}，落后于应完成的 ${expected}` };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate(); // month is 1-based here
}

/** The anniversary of `start` in `year`; 29 February falls back to the 28th in common years. */
function anniversary(start: string, year: number): string {
  const month = Number(start.slice(5, 7));
  const day = Math.min(Number(start.slice(8, 10)), daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${start.slice(5, 7)}-${String(day).padStart(2, '0')}`;
}

/**
 * The period a quota metric is counted over: monthly_original_articles → the calendar month containing
 * `today`; campaigns, features and topic pages per year → the contract year containing `today`, years
 * starting on contractStart's month and day (contract 2025-12-01 → 2025-12-01..2026-11-30). Before the
 * contract starts, the first contract year. Throws for growth metrics, which have no quota period.
 */
export function quotaPeriod(
  metric: KpiMetric,
  today: string,
  contractStart: string,
): { start: string; end: string } {
  dayMs(today);
  dayMs(contractStart);
  if (metric === 'monthly_original_articles') {
    const year = Number(today.slice(0, 4));
    const month = Number(today.slice(5, 7));
    return { start: `${today.slice(0, 7)}-01`, end: `${today.slice(0, 7)}-${daysInMonth(year, month)}` };
  }
  if (
    metric === 'campaigns_per_year' ||
    metric === 'features_per_year' ||
    metric === 'topic_pages_per_year'
  ) {
    const first = Number(contractStart.slice(0, 4));
    let year = Math.max(first, Number(today.slice(0, 4)));
    if (year > first && anniversary(contractStart, year) > today) year--;
    return {
      start: anniversary(contractStart, year),
      end: addDays(anniversary(contractStart, year + 1), -1),
    };
  }
  throw new Error(`${metric} is not a quota metric`);
}

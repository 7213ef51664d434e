import { describe, expect, it } from 'vitest';
import {
  addDays,
  campaignCounts,
  type DayReads,
  evaluateGrowth,
  evaluateQuota,
  type GrowthInput,
  type Milestone,
  milestoneTarget,
  mondayOf,
  quotaPeriod,
  theilSen,
  type WeekPoint,
  weeklyAverageReads,
  weeksBetween,
} from './kpi.compute.js';

/** Ordinary least squares, only to show what the forecast would do without Theil–Sen. */
function olsSlope(points: Array<{ x: number; y: number }>): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxy / sxx;
}

/** Consecutive weekly points from a Monday. */
function weekly(firstMonday: string, values: number[]): WeekPoint[] {
  return values.map((value, i) => ({ weekStart: addDays(firstMonday, 7 * i), value }));
}

describe('day arithmetic', () => {
  it('finds the Monday of a week, the Sunday included, across month and year ends', () => {
    expect(mondayOf('2021-11-28')).toBe('2021-11-22'); // a Sunday: six days back
    expect(mondayOf('2021-11-01')).toBe('2021-11-01'); // a Monday is its own
    expect(mondayOf('2022-01-01')).toBe('2021-12-27'); // a Saturday in the new year
  });

  it('adds days over month ends and leap days, and measures weeks as days / 7', () => {
    expect(addDays('2021-11-30', 1)).toBe('2021-12-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2022-03-01', -1)).toBe('2022-02-28');
    expect(weeksBetween('2021-11-01', '2021-11-04')).toBeCloseTo(3 / 7, 12);
    expect(weeksBetween('2022-01-03', '2022-03-14')).toBe(10); // 28 + 28 + 14 = 70 days
    expect(weeksBetween('2022-01-10', '2022-01-03')).toBe(-1);
  });

  it('refuses strings that are not calendar days instead of rolling them over', () => {
    expect(() => addDays('2022-02-30', 0)).toThrow('not a calendar day');
    expect(() => mondayOf('2022/02/01')).toThrow('not a calendar day');
  });
});

describe('weeklyAverageReads', () => {
  // November 2021: weeks of 1000, 1100, 1200 and 1300 reads a day, then 90,000 a day on 29–30 November,
  // which would swamp the average if the cut-off week were counted.
  const perDay = (day: number) => (day <= 28 ? 1000 + 100 * Math.floor((day - 1) / 7) : 90_000);
  const november: DayReads[] = Array.from({ length: 30 }, (_, i) => ({
    date: `2021-11-${String(i + 1).padStart(2, '0')}`,
    reads: perDay(i + 1),
  }));

  it('counts the 4 complete weeks of November 2021 and leaves out 29–30 November', () => {
    // Week sums: 7×1000 = 7000, 7×1100 = 7700, 7×1200 = 8400, 7×1300 = 9100.
    // Mean = (7000 + 7700 + 8400 + 9100) / 4 = 32,200 / 4 = 8050.
    expect(weeklyAverageReads(november, '2021-11-01', '2021-11-30')).toEqual({
      value: 8050,
      weeks: 4,
      incompleteWeeks: [],
    });
  });

  it('leaves out a week with one null day and lists it, rounding the mean to 2 decimals', () => {
    const withGap = november.map((d) => (d.date === '2021-11-10' ? { ...d, reads: null } : d));
    // The week of 8 November drops out: (7000 + 8400 + 9100) / 3 = 24,500 / 3 = 8166.666… → 8166.67.
    expect(weeklyAverageReads(withGap, '2021-11-01', '2021-11-30')).toEqual({
      value: 8166.67,
      weeks: 3,
      incompleteWeeks: ['2021-11-08'],
    });
  });

  it('treats an absent day like a null one', () => {
    const without20th = november.filter((d) => d.date !== '2021-11-20');
    // Week of 15 November drops out: (7000 + 7700 + 9100) / 3 = 23,800 / 3 = 7933.33.
    const r = weeklyAverageReads(without20th, '2021-11-01', '2021-11-30');
    expect(r.value).toBe(7933.33);
    expect(r.incompleteWeeks).toEqual(['2021-11-15']);
  });

  it('skips a week cut by the start of the range', () => {
    // From Wednesday 3 November: weeks of 8, 15, 22 November → (7700 + 8400 + 9100) / 3 = 8400.
    expect(weeklyAverageReads(november, '2021-11-03', '2021-11-30')).toMatchObject({ value: 8400, weeks: 3 });
  });

  it('is null when no week counts', () => {
    expect(weeklyAverageReads(november, '2021-11-29', '2021-11-30')).toEqual({
      value: null,
      weeks: 0,
      incompleteWeeks: [],
    });
  });

  it('refuses a day given twice rather than guessing which figure is right', () => {
    expect(() =>
      weeklyAverageReads([...november, { date: '2021-11-02', reads: 5 }], '2021-11-01', '2021-11-30'),
    ).toThrow('2021-11-02');
  });
});

describe('milestoneTarget', () => {
  const reads6m: Milestone = { date: '2022-05-31', kind: 'percent', value: 10 };
  const readsEnd: Milestone = { date: '2022-11-30', kind: 'percent', value: 20 };

  it('turns the contract percentages into targets on a 10,000 baseline', () => {
    expect(milestoneTarget(reads6m, 10_000)).toBe(11_000); // 10,000 × 1.10
    expect(milestoneTarget(readsEnd, 10_000)).toBe(12_000); // 10,000 × 1.20
    expect(milestoneTarget(reads6m, 8050)).toBe(8855); // the November 2021 figure above × 1.10
  });

  it('takes absolute targets as they are, baseline or not', () => {
    expect(milestoneTarget({ date: '2022-05-31', kind: 'absolute', value: 120_000 }, null)).toBe(120_000);
    expect(milestoneTarget({ date: '2022-11-30', kind: 'absolute', value: 180_000 }, 80_000)).toBe(180_000);
  });

  it('throws for a percent milestone without a baseline', () => {
    expect(() => milestoneTarget(reads6m, null)).toThrow(/baseline/);
  });
});

describe('theilSen', () => {
  // y = 5000 + 250x for twelve weeks, x = 0 … 11.
  const clean = Array.from({ length: 12 }, (_, x) => ({ x, y: 5000 + 250 * x }));

  it('recovers a clean line exactly', () => {
    expect(theilSen(clean)).toEqual({ slope: 250, intercept: 5000 });
  });

  it('keeps the slope when the last week reads 0, where least squares turns it negative', () => {
    const outage = clean.map((p) => (p.x === 11 ? { x: 11, y: 0 } : p));
    // Theil–Sen: 66 pairs, the 55 without the outlier all have slope 250, so the median is 250.
    const line = theilSen(outage);
    expect(line).not.toBeNull();
    expect(Math.abs((line?.slope ?? 0) - 250) / 250).toBeLessThan(0.01);
    expect(line?.intercept).toBe(5000);
    // OLS: x̄ = 5.5, Sxx = Σ(x − 5.5)² = 143. The outlier lowers y₁₁ by 7750, so Sxy drops by
    // 7750 × (11 − 5.5) = 42,625 and the slope by 42,625 / 143 = 298.08: 250 − 298.08 = −48.08 a week.
    expect(olsSlope(outage)).toBeCloseTo(-48.08, 2);
  });

  it('takes the middle pair slope for an even count and needs two distinct x', () => {
    // Slopes 1, 2, 3 → 2; intercepts 0 − 0, 1 − 2, 4 − 4 → median 0.
    expect(
      theilSen([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
        { x: 2, y: 4 },
      ]),
    ).toEqual({ slope: 2, intercept: 0 });
    expect(
      theilSen([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeNull();
    expect(theilSen([])).toBeNull();
  });
});

describe('evaluateGrowth: followers against the contract', () => {
  // Contract 2021-12-01 … 2022-11-30: 120,000 followers after 6 months, 180,000 by the end.
  const input: GrowthInput = {
    metric: 'followers_total',
    baselineValue: 80_000,
    current: 92_000,
    currentAsOf: '2022-02-20',
    milestones: [
      { date: '2022-11-30', kind: 'absolute', value: 180_000, label: '合同期末' },
      { date: '2022-05-31', kind: 'absolute', value: 120_000, label: '6个月' },
    ],
    contractStart: '2021-12-01',
    contractEnd: '2022-11-30',
    today: '2022-02-22',
    history: weekly('2022-01-24', [86_000, 88_000, 90_000, 92_000]), // +2000 a week
  };

  it('works out weeks left, required growth and the forecast for each milestone', () => {
    const r = evaluateGrowth(input);
    expect(r.milestones.map((m) => m.date)).toEqual(['2022-05-31', '2022-11-30']);
    // 6 months, 2022-05-31: 22 Feb → 1 Mar = 7 days, + 31 + 30 + 31 = 98 days = 14.0 weeks.
    //   required = (120,000 − 92,000) / 14 = 2000 a week = 2000 / 92,000 = 2.17 % a week.
    //   percentOfTarget = 92,000 / 120,000 = 76.7 %; from baseline (92 − 80) / (120 − 80) = 30.0 %.
    //   forecast: 24 Jan → 31 May = 127 days; 86,000 + 2000 × 127/7 = 122,285.71.
    expect(r.milestones[0]).toEqual({
      date: '2022-05-31',
      label: '6个月',
      target: 120_000,
      percentOfTarget: 76.7,
      progressFromBaseline: 30,
      state: 'upcoming',
      weeksLeft: 14,
      requiredWeeklyGrowth: 2000,
      requiredWeeklyGrowthPercent: 2.17,
      forecast: 122_285.71,
    });
    // Contract end, 2022-11-30: 98 + 30 + 31 + 31 + 30 + 31 + 30 = 281 days = 40.14 → 40.1 weeks.
    //   required = 88,000 / (281/7) = 616,000 / 281 = 2192.17 a week = 2.38 % of 92,000.
    //   percentOfTarget = 92 / 180 = 51.1 %; from baseline 12,000 / 100,000 = 12.0 %.
    //   forecast: 127 + 183 = 310 days from 24 Jan; 86,000 + 2000 × 310/7 = 174,571.43.
    expect(r.milestones[1]).toMatchObject({
      weeksLeft: 40.1,
      requiredWeeklyGrowth: 2192.17,
      requiredWeeklyGrowthPercent: 2.38,
      percentOfTarget: 51.1,
      progressFromBaseline: 12,
      forecast: 174_571.43,
    });
    expect(r.trend).toEqual({ method: 'theil-sen', weeksUsed: 4, slopePerWeek: 2000 });
    // Next milestone is 6 months: share = (122,285.71 − 80,000) / (120,000 − 80,000) = 1.057 → on track.
    expect(r.status).toBe('on_track');
    expect(r.statusReason).toContain('6个月');
  });

  it('requires no growth once a milestone is reached', () => {
    const r = evaluateGrowth({ ...input, current: 125_000 });
    expect(r.milestones[0]).toMatchObject({ requiredWeeklyGrowth: 0, requiredWeeklyGrowthPercent: 0 });
    expect(r.status).toBe('on_track');
  });

  it('has no required growth or percentages without a current value', () => {
    const r = evaluateGrowth({ ...input, current: null, currentAsOf: null });
    expect(r.milestones[0]).toMatchObject({
      percentOfTarget: null,
      progressFromBaseline: null,
      requiredWeeklyGrowth: null,
      requiredWeeklyGrowthPercent: null,
    });
  });
});

describe('evaluateGrowth: status thresholds on weekly average reads', () => {
  // Baseline 10,000 reads a week; +10 % → 11,000. Trend +100 a week from 10,000 on Monday 3 January.
  const base = (date: string): GrowthInput => ({
    metric: 'weekly_average_reads',
    baselineValue: 10_000,
    current: 10_300,
    currentAsOf: '2022-01-30',
    milestones: [
      { date, kind: 'percent', value: 10 },
      { date: '2022-11-30', kind: 'percent', value: 20 },
    ],
    contractStart: '2021-12-01',
    contractEnd: '2022-11-30',
    today: '2022-01-26',
    history: weekly('2022-01-03', [10_000, 10_100, 10_200, 10_300]),
  });

  it('is on track when the forecast reaches the target exactly (share 1)', () => {
    // 3 Jan → 14 Mar = 70 days = 10 weeks: 10,000 + 100 × 10 = 11,000; (11,000 − 10,000) / 1000 = 1.
    const r = evaluateGrowth(base('2022-03-14'));
    expect(r.milestones[0]?.forecast).toBe(11_000);
    expect(r.milestones[1]?.target).toBe(12_000);
    expect(r.status).toBe('on_track');
  });

  it('is at risk at share exactly 0.9', () => {
    // 3 Jan → 7 Mar = 63 days = 9 weeks: 10,900; 900 / 1000 = 0.9.
    const r = evaluateGrowth(base('2022-03-07'));
    expect(r.milestones[0]?.forecast).toBe(10_900);
    expect(r.status).toBe('at_risk');
    expect(r.statusReason).toContain('90%');
  });

  it('is off track just below 0.9', () => {
    // 3 Jan → 6 Mar = 62 days: 10,000 + 100 × 62/7 = 10,885.71; 885.71 / 1000 = 0.886.
    const r = evaluateGrowth(base('2022-03-06'));
    expect(r.milestones[0]?.forecast).toBe(10_885.71);
    expect(r.status).toBe('off_track');
  });

  it('without a baseline measures the share from the first trend point', () => {
    // ref = 10,000 (3 Jan): the same share of 1 as with the baseline.
    const r = evaluateGrowth({
      ...base('2022-03-14'),
      baselineValue: null,
      milestones: [{ date: '2022-03-14', kind: 'absolute', value: 11_000 }],
    });
    expect(r.status).toBe('on_track');
    expect(r.milestones[0]?.progressFromBaseline).toBeNull();
  });

  it('is on track when current already meets the target, whatever the trend', () => {
    const falling = weekly('2022-01-03', [12_000, 11_800, 11_600, 11_400]);
    const r = evaluateGrowth({ ...base('2022-03-14'), current: 11_400, history: falling });
    expect(r.status).toBe('on_track');
  });

  it('is at risk with fewer than 4 weeks of history, and gives no forecast', () => {
    const r = evaluateGrowth({
      ...base('2022-03-14'),
      history: weekly('2022-01-03', [10_000, 10_100, 10_200]),
    });
    expect(r.trend).toBeNull();
    expect(r.milestones[0]?.forecast).toBeNull();
    expect(r.status).toBe('at_risk');
    expect(r.statusReason).toBe('数据不足，无法预测趋势');
  });

  it('stays on track through a week of 0 reads, and fits only the last 12 weeks', () => {
    // Six old weeks at 20,000, then 3 Jan … 14 Mar rising 100 a week, then an outage week (21 Mar) of 0.
    // Over all 19 points Theil–Sen would slope down (105 of the 171 pair slopes are ≤ 0); the last 12 are
    // 10 Jan … 21 Mar: 10,100 … 11,100 and the 0. 55 of their 66 pair slopes are 100, so the slope is 100.
    const history = [
      ...weekly('2021-11-22', [20_000, 20_000, 20_000, 20_000, 20_000, 20_000]),
      ...weekly('2022-01-03', [10_000, 10_100, 10_200, 10_300, 10_400, 10_500, 10_600, 10_700]),
      ...weekly('2022-02-28', [10_800, 10_900, 11_000, 11_100, 0]),
    ];
    const r = evaluateGrowth({
      ...base('2022-05-30'),
      milestones: [{ date: '2022-05-30', kind: 'percent', value: 20 }],
      today: '2022-03-23',
      current: 11_100,
      history,
    });
    expect(r.trend).toEqual({ method: 'theil-sen', weeksUsed: 12, slopePerWeek: 100 });
    // 10 Jan → 30 May = 140 days = 20 weeks: 10,100 + 2000 = 12,100; share = 2100 / 2000 = 1.05.
    expect(r.milestones[0]?.forecast).toBe(12_100);
    expect(r.status).toBe('on_track');
  });
});

describe('evaluateGrowth: milestones already passed', () => {
  const history = weekly('2022-01-03', [10_000, 10_100, 10_200, 10_300]);
  const passed = (milestones: Milestone[], today = '2022-01-26'): GrowthInput => ({
    metric: 'weekly_average_reads',
    baselineValue: 10_000,
    current: 10_300,
    currentAsOf: '2022-01-30',
    milestones,
    contractStart: '2021-12-01',
    contractEnd: '2022-11-30',
    today,
    history,
  });

  it('judges met and missed by the week containing the date', () => {
    const r = evaluateGrowth(
      passed([
        { date: '2022-01-05', kind: 'absolute', value: 10_100 }, // week of 3 Jan: 10,000 < 10,100
        { date: '2022-01-12', kind: 'absolute', value: 10_100 }, // week of 10 Jan: 10,100 ≥ 10,100
      ]),
    );
    expect(r.milestones.map((m) => m.state)).toEqual(['missed', 'met']);
    expect(r.milestones.map((m) => m.weeksLeft)).toEqual([0, 0]);
    expect(r.status).toBe('on_track'); // nothing upcoming: the last one was met
  });

  it('is off track when the last milestone was missed', () => {
    const r = evaluateGrowth(passed([{ date: '2022-01-05', kind: 'absolute', value: 10_100 }]));
    expect(r.status).toBe('off_track');
  });

  it('falls back to the last week before the date, and is at risk when there is none', () => {
    // No point for the week of 7 Feb: the last before it is 24 Jan, 10,300 ≥ 10,300.
    const gap = evaluateGrowth(
      passed([{ date: '2022-02-09', kind: 'absolute', value: 10_300 }], '2022-02-16'),
    );
    expect(gap.milestones[0]?.state).toBe('met');
    const early = evaluateGrowth(passed([{ date: '2021-12-20', kind: 'absolute', value: 9000 }]));
    expect(early.milestones[0]?.state).toBe('unknown');
    expect(early.status).toBe('at_risk');
  });

  it('counts a milestone dated today as upcoming', () => {
    const r = evaluateGrowth(passed([{ date: '2022-01-26', kind: 'absolute', value: 10_300 }]));
    expect(r.milestones[0]).toMatchObject({ state: 'upcoming', weeksLeft: 0, requiredWeeklyGrowth: 0 });
  });
});

describe('evaluateGrowth: lower is better', () => {
  it('mirrors the comparisons', () => {
    // A count to bring down from 100 to 50; trend −10 a week from 100 on 3 Jan; 5 weeks later (7 Feb)
    // the forecast is 50: share = (100 − 50) / (100 − 50) = 1.
    const input: GrowthInput = {
      metric: 'sla_compliance_rate',
      baselineValue: 100,
      current: 70,
      currentAsOf: '2022-01-24',
      milestones: [{ date: '2022-02-07', kind: 'absolute', value: 50 }],
      contractStart: '2021-12-01',
      contractEnd: '2022-11-30',
      today: '2022-01-26',
      history: weekly('2022-01-03', [100, 90, 80, 70]),
      higherIsBetter: false,
    };
    expect(evaluateGrowth(input).status).toBe('on_track');
    // 3 Jan → 7 Feb is 35 days; by 6 Feb (34 days) the forecast is 100 − 10 × 34/7 = 51.43, share 0.971.
    const slower = { ...input, milestones: [{ date: '2022-02-06', kind: 'absolute' as const, value: 50 }] };
    expect(evaluateGrowth(slower).status).toBe('at_risk');
    expect(evaluateGrowth({ ...input, current: 45 }).status).toBe('on_track');
  });
});

describe('evaluateQuota', () => {
  // 2 original articles a month; November 2021 has 30 days.
  const articles = (today: string, done: number) =>
    evaluateQuota({
      metric: 'monthly_original_articles',
      required: 2,
      done,
      periodStart: '2021-11-01',
      periodEnd: '2021-11-30',
      today,
    });

  it('on the 15th with none done is at risk: 15/30 of 2 = 1.00 expected', () => {
    // floor(1.00) = 1; 0 < 1, but 0 ≥ 1 − 1 → at risk.
    expect(articles('2021-11-15', 0)).toMatchObject({
      required: 2,
      done: 0,
      remaining: 2,
      expectedByNow: 1,
      status: 'at_risk',
    });
    expect(articles('2021-11-15', 1).status).toBe('on_track');
  });

  it('on the 30th with none done is off track: 30/30 of 2 = 2.00 expected', () => {
    // floor(2.00) = 2; 0 < 2 − 1 → off track. One done is at risk, two on track.
    expect(articles('2021-11-30', 0)).toMatchObject({ expectedByNow: 2, status: 'off_track' });
    expect(articles('2021-11-30', 1).status).toBe('at_risk');
    expect(articles('2021-11-30', 2)).toMatchObject({ remaining: 0, status: 'on_track' });
  });

  it('on the 1st nothing is expected yet: 1/30 of 2 = 0.07', () => {
    expect(articles('2021-11-01', 0)).toMatchObject({ expectedByNow: 0.07, status: 'on_track' });
  });

  it('after the month only the total counts', () => {
    expect(articles('2021-12-01', 1).status).toBe('off_track');
    expect(articles('2021-12-01', 2).status).toBe('on_track');
    expect(articles('2021-12-01', 1).expectedByNow).toBe(2);
  });

  it('counts 6 campaigns a year over the contract year from 2025-12-01', () => {
    const period = quotaPeriod('campaigns_per_year', '2026-06-30', '2025-12-01');
    expect(period).toEqual({ start: '2025-12-01', end: '2026-11-30' });
    // 1 Dec → 30 Jun inclusive: 31 + 31 + 28 + 31 + 30 + 31 + 30 = 212 of 365 days.
    // expected = 6 × 212 / 365 = 3.48; floor 3: 3 on track, 2 at risk, 1 off track.
    const campaigns = (done: number) =>
      evaluateQuota({
        metric: 'campaigns_per_year',
        required: 6,
        done,
        periodStart: period.start,
        periodEnd: period.end,
        today: '2026-06-30',
      });
    expect(campaigns(3)).toMatchObject({ expectedByNow: 3.48, remaining: 3, status: 'on_track' });
    expect(campaigns(2).status).toBe('at_risk');
    expect(campaigns(1)).toMatchObject({ remaining: 5, status: 'off_track' });
  });

  it('counts a campaign only when it lasts 7 days, both ends included', () => {
    expect(campaignCounts('2026-03-01', '2026-03-07')).toBe(true);
    expect(campaignCounts('2026-03-01', '2026-03-06')).toBe(false);
  });
});

describe('quotaPeriod', () => {
  it('uses the calendar month for monthly articles, leap February included', () => {
    expect(quotaPeriod('monthly_original_articles', '2021-11-15', '2021-12-01')).toEqual({
      start: '2021-11-01',
      end: '2021-11-30',
    });
    expect(quotaPeriod('monthly_original_articles', '2024-02-10', '2021-12-01')).toEqual({
      start: '2024-02-01',
      end: '2024-02-29',
    });
  });

  it('uses contract years for features and topic pages, switching on the anniversary', () => {
    expect(quotaPeriod('features_per_year', '2026-11-30', '2025-12-01')).toEqual({
      start: '2025-12-01',
      end: '2026-11-30',
    });
    expect(quotaPeriod('topic_pages_per_year', '2026-12-01', '2025-12-01')).toEqual({
      start: '2026-12-01',
      end: '2027-11-30',
    });
    // Before the contract starts: its first year.
    expect(quotaPeriod('campaigns_per_year', '2025-11-15', '2025-12-01')).toEqual({
      start: '2025-12-01',
      end: '2026-11-30',
    });
  });

  it('has no period for growth metrics', () => {
    expect(() => quotaPeriod('followers_total', '2026-01-01', '2025-12-01')).toThrow('not a quota metric');
  });
});

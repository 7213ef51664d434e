import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../core/calendar/days.js';
import type { Db } from '../../core/db/database.js';
import { kpiSummary } from '../../core/kpi/kpi.service.js';
import { writeMetrics } from '../../core/metrics/metrics.store.js';
import { createMigratedDatabase, insertWechatAccount } from '../helpers/services.js';

/**
 * The contract's targets worked by hand on PostgreSQL. Today is Wednesday 2026-06-03 (Asia/Shanghai);
 * the contract runs 2025-12-01 … 2027-11-30; the baseline is November 2021.
 *
 * Data (two WeChat accounts A and B; week k = the week starting 2025-12-01 + 7k, k = 0 … 25):
 * - November 2021: A reads 1,000 a day, B 500 → 1,500 a day → every complete week 10,500 → baseline 10,500.
 * - Week k: A reads 1,000 + 10k a day, B 500 → weekly total 10,500 + 70k.
 *   The last 4 complete weeks before today are k = 22 … 25: 12,040, 12,110, 12,180, 12,250 → current 12,145.
 * - Week k followers (every day of the week): A 60,000 + 1,000k, B 40,000 + 500k → 100,000 + 1,500k;
 *   current (31 May, k = 25) 137,500.
 * Trend: Theil–Sen over the last 12 weeks (k = 14 … 25, from Monday 2026-03-09): exact lines, so the slope is
 * 70 reads and 1,500 followers a week. 2027-11-30 is 631 days = 90.142857 weeks after 2026-03-09 and
 * 545 days = 77.857143 weeks after today.
 */
const NOW = Date.parse('2026-06-03T04:00:00Z'); // 12:00 in Shanghai

describe('KPI summary on hand-worked data (the lottery contract)', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let db: Db;
  let orgId: string;
  let a: string;
  let b: string;

  beforeAll(async () => {
    database = await createMigratedDatabase();
    db = database.db;
    orgId = (
      await db
        .insertInto('organisations')
        .values({ slug: 'kpi-lottery', name: '省体彩中心' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const account = (name: string) => insertWechatAccount(db, orgId, name);
    a = await account('A');
    b = await account('B');
    const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => addDays(from, i));
    await writeMetrics(db, a, {
      accountDays: days('2021-11-01', 30).map((date) => ({ date, reads: 1000 })),
      articleDays: [],
    });
    await writeMetrics(db, b, {
      accountDays: days('2021-11-01', 30).map((date) => ({ date, reads: 500 })),
      articleDays: [],
    });
    for (let k = 0; k < 26; k++) {
      const week = days(addDays('2025-12-01', 7 * k), 7);
      await writeMetrics(db, a, {
        accountDays: week.map((date) => ({ date, reads: 1000 + 10 * k, followers: 60_000 + 1000 * k })),
        articleDays: [],
      });
      await writeMetrics(db, b, {
        accountDays: week.map((date) => ({
          date,
          reads: 500,
          followers: 40_000 + 500 * k,
          newFollowers: 80,
          lostFollowers: 10,
        })),
        articleDays: [],
      });
    }
    const target = (values: Record<string, unknown>) =>
      db
        .insertInto('kpi_targets')
        .values({
          organisation_id: orgId,
          account_id: null,
          contract_start: '2025-12-01',
          contract_end: '2027-11-30',
          baseline: null,
          ...values,
        } as never)
        .execute();
    await target({
      metric: 'weekly_average_reads',
      name: '周均阅读量',
      baseline: JSON.stringify({ kind: 'period', from: '2021-11-01', to: '2021-11-30' }),
      milestones: JSON.stringify([
        { date: '2026-05-31', kind: 'percent', value: 10, label: '6 个月 +10%' },
        { date: '2027-11-30', kind: 'percent', value: 20, label: '合同期末 +20%' },
      ]),
    });
    await target({
      metric: 'followers_total',
      name: '粉丝总数',
      milestones: JSON.stringify([
        { date: '2026-05-31', kind: 'absolute', value: 120_000 },
        { date: '2027-11-30', kind: 'absolute', value: 180_000 },
      ]),
    });
    await target({
      metric: 'followers_total',
      name: 'B 号粉丝',
      account_id: b,
      milestones: JSON.stringify([{ date: '2026-12-31', kind: 'absolute', value: 200_000 }]),
    });
    await target({
      metric: 'net_new_followers',
      name: '净增粉丝',
      account_id: b,
      milestones: JSON.stringify([{ date: '2026-12-31', kind: 'absolute', value: 30_000 }]),
    });
    await target({
      metric: 'campaigns_per_year',
      name: '每年主题活动',
      milestones: JSON.stringify([{ date: '2027-11-30', kind: 'absolute', value: 6 }]),
    });
    const campaign = (name: string, starts_on: string, ends_on: string, short_event = false) =>
      db
        .insertInto('campaigns')
        .values({ organisation_id: orgId, type: 'theme', name, starts_on, ends_on, short_event })
        .execute();
    await campaign('春节活动', '2026-02-10', '2026-02-20');
    await campaign('世界杯竞猜', '2026-05-01', '2026-05-07');
    await campaign('开奖直播', '2026-05-20', '2026-05-20', true); // a short event: not counted
    await campaign('上年活动', '2025-11-01', '2025-11-20'); // before this contract year
    await target({
      metric: 'monthly_original_articles',
      name: '每月原创',
      milestones: JSON.stringify([{ date: '2027-11-30', kind: 'absolute', value: 2 }]),
    });
    // June 2026: one edition with an original and a reposted article, published on the 2nd (Shanghai);
    // one original published on 31 May 23:30 Shanghai (May, not June); one original still a draft.
    const edition = async (
      status: 'published' | 'draft',
      publishedAt: string | null,
      originals: boolean[],
    ) => {
      const c = await db
        .insertInto('contents')
        .values({
          organisation_id: orgId,
          account_id: a,
          kind: 'wechat_edition',
          status,
          title: '原创统计',
          approved_revision: status === 'published' ? 1 : null,
          published_at: publishedAt ? new Date(publishedAt) : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('content_revisions')
        .values({
          content_id: c.id,
          revision: 1,
          body: JSON.stringify({
            kind: 'wechat_edition',
            articles: originals.map((original) => ({ title: 't', original })),
          }),
        })
        .execute();
    };
    await edition('published', '2026-06-02T02:00:00Z', [true, false]);
    await edition('published', '2026-05-31T15:30:00Z', [true]);
    await edition('draft', null, [true]);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('weekly average reads: baseline 10,500, +10% = 11,550 met, +20% = 12,600 on track', async () => {
    const s = await kpiSummary(db, orgId, NOW);
    const reads = s.items.find((i) => i.target.name === '周均阅读量')?.growth;
    expect(reads).toMatchObject({
      baselineValue: 10_500,
      current: 12_145,
      currentAsOf: '2026-05-31',
      status: 'on_track',
    });
    expect(reads?.trend).toMatchObject({ method: 'theil-sen', weeksUsed: 12, slopePerWeek: 70 });
    expect(reads?.milestones).toEqual([
      expect.objectContaining({ date: '2026-05-31', target: 11_550, state: 'met' }),
      expect.objectContaining({
        date: '2027-11-30',
        target: 12_600,
        state: 'upcoming',
        weeksLeft: 77.9,
        // (12,600 − 12,145) / 77.857 weeks
        requiredWeeklyGrowth: 5.84,
        // 11,480 at 2026-03-09 + 70 × 90.142857
        forecast: 17_790,
        // 12,145 / 12,600
        percentOfTarget: 96.4,
        // (12,145 − 10,500) / (12,600 − 10,500)
        progressFromBaseline: 78.3,
      }),
    ]);
  });

  it('followers: 120,000 at six months met, 180,000 at the end on track; an account far behind is off track', async () => {
    const s = await kpiSummary(db, orgId, NOW);
    const all = s.items.find((i) => i.target.name === '粉丝总数')?.growth;
    expect(all).toMatchObject({ current: 137_500, currentAsOf: '2026-05-31', status: 'on_track' });
    expect(all?.milestones[0]).toMatchObject({ target: 120_000, state: 'met' });
    expect(all?.milestones[1]).toMatchObject({
      target: 180_000,
      percentOfTarget: 76.4,
      // 42,500 / 77.857 weeks
      requiredWeeklyGrowth: 545.87,
      // 121,000 + 1,500 × 90.142857
      forecast: 256_214.29,
    });
    // B alone: 52,500 now, 500 a week; 200,000 by 2026-12-31 is forecast at 68,214 → share 0.14.
    const onlyB = s.items.find((i) => i.target.name === 'B 号粉丝')?.growth;
    expect(onlyB).toMatchObject({ current: 52_500, status: 'off_track' });
    expect(onlyB?.milestones[0]?.forecast).toBe(68_214.29);
  });

  it('net new followers since the contract start: whole weeks from the rollups, 70 a day, at risk', async () => {
    const s = await kpiSummary(db, orgId, NOW);
    const net = s.items.find((i) => i.target.name === '净增粉丝')?.growth;
    // 26 weeks × 7 days × (80 − 10) = 12,740; the trend adds 490 a week: by 2026-12-31 (297 days after
    // 2026-03-09, where the 12 weeks used start at 490 × 15 = 7,350) 7,350 + 490 × 42.43 = 28,140 < 30,000.
    // No baseline: share = (28,140 − 7,350) / (30,000 − 7,350) = 0.918 → at risk (0.9 ≤ share < 1).
    expect(net).toMatchObject({ current: 12_740, trend: { slopePerWeek: 490 }, status: 'at_risk' });
    expect(net?.milestones[0]?.forecast).toBe(28_140);
  });

  it('campaigns per contract year: 2 of 6 counted by 3 June (expected 3) is at risk; short events do not count', async () => {
    const s = await kpiSummary(db, orgId, NOW);
    const q = s.items.find((i) => i.target.name === '每年主题活动')?.quota;
    // 185 of 365 days of the contract year 2025-12-01 … 2026-11-30 → 6 × 185/365 = 3.04 → 3 expected.
    expect(q).toMatchObject({
      periodStart: '2025-12-01',
      periodEnd: '2026-11-30',
      required: 6,
      done: 2,
      remaining: 4,
      expectedByNow: 3.04,
      status: 'at_risk',
    });
    expect(s.counts).toEqual({ on_track: 3, at_risk: 2, off_track: 1 });
  });

  it('original articles this month: only published articles marked 原创, by the Shanghai day they were published', async () => {
    const s = await kpiSummary(db, orgId, NOW);
    const q = s.items.find((i) => i.target.name === '每月原创')?.quota;
    // June: 1 done of 2; 3 of 30 days gone → 0.2 expected → on track.
    expect(q).toMatchObject({
      periodStart: '2026-06-01',
      periodEnd: '2026-06-30',
      required: 2,
      done: 1,
      expectedByNow: 0.2,
      status: 'on_track',
    });
  });
});

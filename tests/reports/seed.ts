import type { Kysely } from 'kysely';
import { addDays, eachDay } from '../../core/calendar/days.js';
import type { Database } from '../../core/db/database.js';
import { writeMetrics } from '../../core/metrics/metrics.store.js';
import { insertOrganisation, insertWechatAccount } from '../helpers/services.js';

/** Data for monthly-report tests: October 2026 of a lottery centre with figures, targets and incidents. */

export const LONG_TITLE = `关于进一步做好体育彩票公益金使用管理和信息公开工作的通知${'暨全民健身与青少年体育发展专项行动'.repeat(12)}（全文）`;
export const XSS_TITLE = `<img src=x onerror="document.body.prepend('X'+'SS-EXECUTED')">恶意标题测试`;
export const TOP_TITLE = '体彩公益金助力全民健身';
export const TOP_READS = 88_888;
export const LAST_FOLLOWERS = 121_550;

async function insertContent(
  db: Kysely<Database>,
  organisationId: string,
  accountId: string,
  title: string,
  status: 'published' | 'failed',
  lastError: object | null = null,
) {
  const r = await db
    .insertInto('contents')
    .values({
      organisation_id: organisationId,
      account_id: accountId,
      kind: 'wechat_edition',
      title,
      status,
      last_error: lastError ? JSON.stringify(lastError) : null,
      updated_at: new Date('2026-10-15T04:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** The full organisation: three months of daily figures, articles, two targets, a campaign, SLA, an incident. */
export async function seedLotteryCentre(db: Kysely<Database>, name = '省体育彩票管理中心') {
  const orgId = await insertOrganisation(db, name);
  const accountId = await insertWechatAccount(db, orgId, `lottery_${orgId.slice(0, 6)}`);
  const days = eachDay('2026-08-01', '2026-10-31');
  await writeMetrics(db, accountId, {
    accountDays: days.map((date, i) => ({
      date,
      followers: LAST_FOLLOWERS - (days.length - 1 - i) * 50,
      newFollowers: 60,
      lostFollowers: 10,
      reads: 5000 + i * 10,
      readers: 4000,
      shares: 40,
    })),
    articleDays: [
      ...eachDay('2026-10-01', '2026-10-08').map((date) => ({
        date,
        externalArticleId: 'top',
        title: TOP_TITLE,
        reads: TOP_READS / 8,
        shares: 100,
      })),
      ...Array.from({ length: 11 }, (_, i) => ({
        date: addDays('2026-10-02', i),
        externalArticleId: `a${i}`,
        title: `第 ${i + 1} 期开奖公告`,
        reads: 1000 + i,
        shares: 5,
      })),
      { date: '2026-10-09', externalArticleId: 'long', title: LONG_TITLE, reads: 50_000, shares: 9 },
      { date: '2026-10-10', externalArticleId: 'xss', title: XSS_TITLE, reads: 40_000, shares: 8 },
    ],
  });
  const contract = { contract_start: '2025-12-01', contract_end: '2027-11-30', baseline: null };
  await db
    .insertInto('kpi_targets')
    .values([
      {
        organisation_id: orgId,
        account_id: null,
        metric: 'followers_total',
        name: '粉丝总数（合同目标）',
        milestones: JSON.stringify([{ date: '2027-11-30', kind: 'absolute', value: 180_000 }]),
        ...contract,
      },
      {
        organisation_id: orgId,
        account_id: null,
        metric: 'monthly_original_articles',
        name: '每月原创文章',
        milestones: JSON.stringify([{ date: '2027-11-30', kind: 'absolute', value: 2 }]),
        ...contract,
      },
    ])
    .execute();
  await db
    .insertInto('campaigns')
    .values({
      organisation_id: orgId,
      type: 'theme',
      name: '竞彩世界杯主题活动',
      starts_on: '2026-10-08',
      ends_on: '2026-10-20',
      goals: JSON.stringify([{ metric: 'net_followers', target: 300 }]),
    })
    .execute();
  // SLA: three published in time, one late.
  for (const [i, outcome] of (['met', 'met', 'met', 'missed'] as const).entries()) {
    const contentId = await insertContent(db, orgId, accountId, `时效测试 ${i}`, 'published');
    const approved = new Date(`2026-10-1${i}T02:00:00Z`);
    await db
      .insertInto('sla_records')
      .values({
        content_id: contentId,
        organisation_id: orgId,
        approved_at: approved,
        working_day: true,
        at_risk_at: new Date(approved.getTime() + 45 * 60_000),
        deadline: new Date(approved.getTime() + 60 * 60_000),
        published_at: new Date(approved.getTime() + (outcome === 'met' ? 20 : 90) * 60_000),
      })
      .execute();
    await db.updateTable('sla_records').set({ outcome }).where('content_id', '=', contentId).execute();
  }
  const failed = await insertContent(db, orgId, accountId, '开奖公告 第26120期', 'failed', {
    kind: 'invalid_content',
    code: '40007',
    message: 'invalid media_id',
    editorMessage: '微信返回：素材已被删除',
    at: '2026-10-15T04:00:00Z',
  });
  await db
    .insertInto('publish_attempts')
    .values({
      content_id: failed,
      revision: 1,
      attempt: 1,
      worker: 'test',
      started_at: new Date('2026-10-15T04:00:00Z'),
      finished_at: new Date('2026-10-15T04:00:05Z'),
      outcome: 'failed',
      error_kind: 'invalid_content',
      error_code: '40007',
      error_message: 'invalid media_id',
    })
    .execute();
  return { orgId, accountId };
}

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import { emptyProgress } from '../../integrations/platform.js';
import { WechatTokenHolder } from '../../integrations/wechat/token-holder.js';
import { spans, WechatClient } from '../../integrations/wechat/wechat.client.js';
import { WechatApiAdapter } from '../../integrations/wechat/wechat-api.adapter.js';
import { clearPrefix, uniqueName } from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

const SECRET = 'metrics-secret-0123456789abcdef';
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const daysAgo = (n: number) => shanghaiDay(Date.now() - n * 86_400_000);

describe('account daily metrics from datacube (emulator, real HTTP)', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let redis: Redis;
  let client: WechatClient;
  let holder: WechatTokenHolder;
  const prefix = uniqueName('t-dc').toLowerCase();

  beforeAll(async () => {
    emu = await startEmulator();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    holder = new WechatTokenHolder({ redis, prefix, baseUrl: emu.url, secretOf: async () => SECRET });
    client = new WechatClient(emu.url, holder);
    emu.state.addWechatApp({ appid: 'wx_metrics', secret: SECRET });
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  });

  it('cuts ranges into the allowed spans', () => {
    expect(spans('2026-11-01', '2026-11-15', 7)).toEqual([
      ['2026-11-01', '2026-11-07'],
      ['2026-11-08', '2026-11-14'],
      ['2026-11-15', '2026-11-15'],
    ]);
    expect(spans('2026-11-01', '2026-11-03', 3)).toEqual([['2026-11-01', '2026-11-03']]);
  });

  it('reads 20 days in allowed spans: followers consistent with net growth, quieter weekends, deterministic', async () => {
    const from = daysAgo(20);
    const to = daysAgo(1);
    const before = emu.state.stats.requests;
    const rows = await client.accountDailyMetrics('wx_metrics', from, to);
    expect(rows).toHaveLength(20);
    // 20 days: 3 spans of 7 for summary and cumulate each, 7 spans of 3 for reads (+1 token fetch).
    expect(emu.state.stats.requests - before).toBe(3 * 2 + 7 + 1);
    for (let i = 1; i < rows.length; i++) {
      const r = rows[i] as { followers: number; newFollowers: number; lostFollowers: number };
      const prev = rows[i - 1] as { followers: number };
      expect(r.followers - prev.followers).toBe(r.newFollowers - r.lostFollowers);
    }
    const dow = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const weekend = avg(rows.filter((r) => [0, 6].includes(dow(r.date))).map((r) => r.reads as number));
    const weekday = avg(rows.filter((r) => ![0, 6].includes(dow(r.date))).map((r) => r.reads as number));
    expect(weekend).toBeLessThan(weekday);
    expect(await client.accountDailyMetrics('wx_metrics', from, to)).toEqual(rows);
  });

  it('enforces T+1 and the spans on the emulator side too, with the documented behaviour', async () => {
    await expect(client.accountDailyMetrics('wx_metrics', daysAgo(2), daysAgo(0))).rejects.toMatchObject({
      kind: 'invalid_content',
    });
    const token = await holder.token('wx_metrics');
    const call = (body: unknown) =>
      new WechatApiAdapter(emu.url).call(token, 'datacube/getuserread', body, { idempotent: true });
    await expect(call({ begin_date: daysAgo(5), end_date: daysAgo(1) })).rejects.toMatchObject({
      detail: { code: 61501 },
    });
    await expect(call({ begin_date: daysAgo(1), end_date: daysAgo(0) })).rejects.toMatchObject({
      detail: { code: 61501 },
    });
    await expect(call({ begin_date: 'yesterday', end_date: daysAgo(1) })).rejects.toMatchObject({
      detail: { code: 61500 },
    });
  });

  it("per-article statistics list yesterday's published articles under their msg_data_id, and a publish lifts the day", async () => {
    emu.state.addWechatApp({ appid: 'wx_articles', secret: SECRET, verified: true });
    const yesterday = Date.now() - 86_400_000;
    const quiet = await client.accountDailyMetrics('wx_articles', daysAgo(1), daysAgo(1));
    emu.state.now = () => yesterday;
    let progress = emptyProgress();
    try {
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(100, 7)]);
      progress = await client.publishEdition(
        'wx_articles',
        {
          idempotencyKey: 'metrics-1',
          mode: 'masssend',
          articles: [
            {
              title: '排列3 开奖',
              author: null,
              digest: null,
              contentHtml: '<p>号码</p>',
              coverImage: 'c.jpg',
              sourceUrl: null,
              original: false,
              comments: 'open',
            },
          ],
        },
        emptyProgress(),
        async () => {},
        { load: async () => ({ bytes: jpeg, filename: 'c.jpg' }) },
      );
    } finally {
      emu.state.now = Date.now;
    }
    const rows = await client.articleMetrics('wx_articles', daysAgo(1));
    expect(rows).toEqual([
      expect.objectContaining({
        externalArticleId: `${progress.msgDataId}_1`,
        title: '排列3 开奖',
        date: daysAgo(1),
      }),
    ]);
    expect(rows[0]?.reads).toBeGreaterThan(0);
    const busy = await client.accountDailyMetrics('wx_articles', daysAgo(1), daysAgo(1));
    expect(busy[0]?.reads).toBeGreaterThan((quiet[0]?.reads ?? 0) + 2000);
    await expect(client.articleMetrics('wx_articles', daysAgo(0))).rejects.toMatchObject({
      kind: 'invalid_content',
    });
  });
});

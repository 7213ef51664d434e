import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import { EmulatorState } from '../../integrations/emulator/emulator.state.js';
import {
  type AccountRef,
  emptyProgress,
  type MediaLoader,
  type PlatformError,
  type PublishProgress,
  type WeiboPostContent,
} from '../../integrations/platform.js';
import { createPlatformClients } from '../../integrations/platforms.js';
import { WechatApiAdapter } from '../../integrations/wechat/wechat-api.adapter.js';
import { clearPrefix, uniqueName } from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

const SECRET = 'platforms-secret-0123456789abcdef';
const noMedia: MediaLoader = {
  load: async (ref) => {
    throw new Error(`no media expected, asked for ${ref}`);
  },
};
const daysAgo = (n: number) =>
  new Date(Date.now() + 8 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10);

describe('the platform interface over both platforms (emulator, real HTTP, real Redis)', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let redis: Redis;
  let platforms: ReturnType<typeof createPlatformClients>;
  const prefix = uniqueName('t-plat').toLowerCase();
  const uid = '5000000000000077';
  const token = `wb-${randomBytes(8).toString('hex')}`;
  const weibo: AccountRef = { accountId: '1', platform: 'weibo', externalId: uid };
  const wechat: AccountRef = { accountId: '2', platform: 'wechat', externalId: 'wx_platforms' };
  const post = (text: string): WeiboPostContent => ({
    idempotencyKey: `p-${randomBytes(4).toString('hex')}`,
    text: `${text} https://www.example.gov.cn/n/${randomBytes(3).toString('hex')}`,
    picture: null,
    rip: '203.0.113.7',
  });
  const recorder = () => {
    const saved: PublishProgress[] = [];
    return { saved, record: async (p: PublishProgress) => void saved.push(structuredClone(p)) };
  };
  const postsOf = () => [...emu.weibo.posts.values()].filter((p) => p.uid === uid);

  beforeAll(async () => {
    emu = await startEmulator();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    emu.weibo.users.set(uid, { uid, screenName: '体彩微博', followers: 8_000, statuses: 0 });
    emu.weibo.tokens.set(token, { uid, expiresAt: Date.now() + 30 * 86_400_000 });
    emu.state.addWechatApp({ appid: 'wx_platforms', secret: SECRET });
    platforms = createPlatformClients({
      redis,
      redisPrefix: prefix,
      wechatApiBase: emu.url,
      weiboApiBase: emu.url,
      weiboSafeDomains: ['example.gov.cn'],
      sandboxBase: null,
      secretOf: async (platform) => (platform === 'weibo' ? token : SECRET),
    });
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  });

  it('posts to Weibo, recording the submission time before and the status id after', async () => {
    const { saved, record } = recorder();
    const p = post('大乐透第 25136 期开奖公告');
    const done = await platforms.platformFor(weibo).publishPost(weibo, p, emptyProgress(), record, noMedia);
    expect(saved).toHaveLength(2);
    expect(saved[0]).toMatchObject({ postSubmittedAt: expect.any(String), postId: null });
    expect(done.postId).toMatch(/^49\d{14}$/);
    expect(await platforms.platformFor(weibo).publishState(weibo, done, p)).toEqual({
      state: 'published',
      articles: [{ articleId: done.postId, url: `https://weibo.com/${uid}/${done.postId}` }],
    });
    expect(await platforms.platformFor(weibo).listPublished(weibo, new Date(Date.now() - 60_000))).toEqual([
      expect.objectContaining({ externalId: done.postId }),
    ]);
  });

  it('a lost Weibo answer is unknown_outcome; the retry finds the post instead of sending it again', async () => {
    const { saved, record } = recorder();
    const p = post('双色球第 25137 期开奖公告');
    const before = postsOf().length;
    emu.state.knobs.queued.push({ kind: 'lost_response', path: '/2/statuses/share.json' });
    const err = await platforms
      .platformFor(weibo)
      .publishPost(weibo, p, emptyProgress(), record, noMedia)
      .catch((e: unknown) => e as PlatformError);
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    const last = saved.at(-1) as PublishProgress;
    expect(last).toMatchObject({ postId: null, postSubmittedAt: expect.any(String) });
    expect(postsOf().length).toBe(before + 1);
    const state = await platforms.platformFor(weibo).publishState(weibo, last, p);
    expect(state).toMatchObject({ state: 'published' });
    const settled = await platforms.platformFor(weibo).publishPost(weibo, p, last, record, noMedia);
    expect(settled.postId).toBe(state.state === 'published' ? state.articles[0]?.articleId : 'missing');
    expect(postsOf().length).toBe(before + 1);
  });

  it('a submission that never reached Weibo is reported failed, and then sent', async () => {
    const p = post('七星彩第 25138 期开奖公告');
    const stale = { ...emptyProgress(), postSubmittedAt: new Date(Date.now() + 120_000).toISOString() };
    expect(await platforms.platformFor(weibo).publishState(weibo, stale, p)).toMatchObject({
      state: 'failed',
    });
    const before = postsOf().length;
    const { record } = recorder();
    const done = await platforms.platformFor(weibo).publishPost(weibo, p, stale, record, noMedia);
    expect(done.postId).toBeTruthy();
    expect(postsOf().length).toBe(before + 1);
  });

  it('when a newer post hides the one in doubt, nothing is sent and a person must look', async () => {
    const doubtful = { ...emptyProgress(), postSubmittedAt: new Date(Date.now() - 1000).toISOString() };
    const p = post('排列三第 25139 期开奖公告');
    const before = postsOf().length;
    const err = await platforms
      .platformFor(weibo)
      .publishPost(weibo, p, doubtful, async () => {}, noMedia)
      .catch((e: unknown) => e as PlatformError);
    expect(err).toMatchObject({
      kind: 'unknown_outcome',
      detail: { editorMessage: expect.stringMatching(/核实/) },
    });
    expect(postsOf().length).toBe(before);
  });

  it("Weibo metrics: today's follower snapshot and post counts; what Weibo lacks is not_permitted", async () => {
    const wb = platforms.platformFor(weibo);
    expect(await wb.accountDailyMetrics(weibo, daysAgo(3), daysAgo(0))).toEqual([
      {
        date: daysAgo(0),
        followers: 8_000,
        newFollowers: null,
        lostFollowers: null,
        reads: null,
        shares: null,
      },
    ]);
    expect(await wb.accountDailyMetrics(weibo, daysAgo(3), daysAgo(1))).toEqual([]);
    const ids = [...emu.weibo.posts.keys()].slice(0, 2);
    expect((await wb.postCounts(weibo, ids)).map((c) => c.id)).toEqual(ids);
    await expect(wb.articleMetrics(weibo, daysAgo(1))).rejects.toMatchObject({ kind: 'not_permitted' });
    await expect(wb.customMenu(weibo)).rejects.toMatchObject({ kind: 'not_permitted' });
    await expect(
      wb.publishEdition(
        weibo,
        { idempotencyKey: 'x', articles: [], mode: 'masssend' },
        emptyProgress(),
        async () => {},
        noMedia,
      ),
    ).rejects.toMatchObject({ kind: 'not_permitted' });
  });

  it('WeChat through the same interface: menu, metrics, and no Weibo posts', async () => {
    const wx = platforms.platformFor(wechat);
    expect(await wx.customMenu(wechat)).toMatchObject({ is_menu_open: 1 });
    expect(await wx.accountDailyMetrics(wechat, daysAgo(2), daysAgo(1))).toHaveLength(2);
    await expect(
      wx.publishPost(wechat, post('x'), emptyProgress(), async () => {}, noMedia),
    ).rejects.toMatchObject({
      kind: 'not_permitted',
    });
    await expect(wx.postCounts(wechat, ['1'])).rejects.toMatchObject({ kind: 'not_permitted' });
    expect((await wx.verify(wechat)).token).toBe(true);
  });
});

describe('the 2025 datacube endpoints and the metrics seed', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let redis: Redis;
  const prefix = uniqueName('t-dc').toLowerCase();

  beforeAll(async () => {
    emu = await startEmulator();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  });

  it('reads articles, shares and the daily summary through the wechat-api extensions', async () => {
    const app = emu.state.addWechatApp({ appid: 'wx_dc', secret: SECRET });
    app.published.push({ day: daysAgo(1), msgDataId: '2247490098', titles: ['开奖公告', '兑奖提示'] });
    const { wechatFor } = createPlatformClients({
      redis,
      redisPrefix: prefix,
      wechatApiBase: emu.url,
      weiboApiBase: emu.url,
      weiboSafeDomains: [],
      sandboxBase: null,
      secretOf: async () => SECRET,
    });
    const client = wechatFor({ accountId: '1', platform: 'wechat', externalId: 'wx_dc' });
    const audience = await client.articleAudience('wx_dc', daysAgo(1));
    expect(audience.map((a) => a.externalArticleId)).toEqual(['2247490098_1', '2247490098_2']);
    for (const a of audience) {
      expect(a.readers).toBeGreaterThan(0);
      expect(a.sharers).toBeGreaterThan(0);
    }
    // Before 2025-11-01 WeChat kept no share figures: null, not zero.
    app.published.push({ day: '2025-10-01', msgDataId: '2247400001', titles: ['旧文'] });
    expect(await client.articleAudience('wx_dc', '2025-10-01')).toEqual([
      { date: '2025-10-01', externalArticleId: '2247400001_1', readers: expect.any(Number), sharers: null },
    ]);
    const summary = await client.publishedSummary('wx_dc', daysAgo(3), daysAgo(1));
    expect(summary.map((s) => s.date)).toEqual([daysAgo(3), daysAgo(2), daysAgo(1)]);
    expect(summary[0]).toEqual({
      date: daysAgo(3),
      readers: expect.any(Number),
      sharers: expect.any(Number),
      likes: expect.any(Number),
      zaikan: expect.any(Number),
      comments: expect.any(Number),
    });
    await expect(client.publishedSummary('wx_dc', daysAgo(1), daysAgo(0))).rejects.toMatchObject({
      kind: 'invalid_content',
    });
    // The emulator holds the undocumented spans to one day, as the client asks.
    const t = await new WechatApiAdapter(emu.url).stableToken('wx_dc', SECRET, false);
    const detail = await new WechatApiAdapter(emu.url).datacube<{ msgid: string; detail_list: unknown[] }>(
      t.access_token,
      'getarticletotaldetail',
      daysAgo(1),
      daysAgo(1),
    );
    expect(detail.is_delay).toBe(false);
    expect(detail.list.map((d) => d.msgid)).toEqual(['2247490098_1', '2247490098_2']);
    await expect(
      new WechatApiAdapter(emu.url).datacube(t.access_token, 'getbizsummary', daysAgo(2), daysAgo(1)),
    ).rejects.toMatchObject({ detail: { code: 61501 } });
  });

  it('the same seed gives the same figures; another seed another series', async () => {
    const figures = async (seed: string) => {
      const other = await startEmulator({ state: new EmulatorState(seed) });
      try {
        other.state.addWechatApp({ appid: 'wx_seed', secret: SECRET });
        const t = await new WechatApiAdapter(other.url).stableToken('wx_seed', SECRET, false);
        return (
          await new WechatApiAdapter(other.url).datacube(
            t.access_token,
            'getusersummary',
            daysAgo(7),
            daysAgo(1),
          )
        ).list;
      } finally {
        await other.close();
      }
    };
    const a = await figures('alpha');
    expect(await figures('alpha')).toEqual(a);
    expect(await figures('beta')).not.toEqual(a);
  });
});

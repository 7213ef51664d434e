import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import {
  type Edition,
  type EditionArticle,
  emptyProgress,
  type MediaLoader,
  PlatformError,
  type PublishProgress,
} from '../../integrations/platform.js';
import { WechatTokenHolder } from '../../integrations/wechat/token-holder.js';
import { WechatClient } from '../../integrations/wechat/wechat.client.js';
import { clearPrefix, uniqueName } from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

const SECRET = 'publish-secret-0123456789abcdef';
const jpeg = (size = 2000) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size)]);
const png = (size = 2000) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size)]);

function mediaOf(files: Record<string, Buffer>): MediaLoader & { loads: string[] } {
  const loads: string[] = [];
  return {
    loads,
    async load(ref) {
      loads.push(ref);
      const bytes = files[ref];
      if (!bytes)
        throw new PlatformError('invalid_content', 'wechat', `image ${ref} cannot be fetched`, {
          editorMessage: `图片 ${ref} 无法获取，请重新上传。`,
        });
      return { bytes, filename: ref.split('/').pop() ?? 'image' };
    },
  };
}

const article = (over: Partial<EditionArticle> = {}): EditionArticle => ({
  title: '大乐透第 25135 期开奖公告',
  author: '省体彩中心',
  digest: '本期开奖结果',
  contentHtml: '<p>开奖号码</p><img src="media/a.png"><p>详情</p><img src=\'media/b.jpg\'>',
  coverImage: 'media/cover.jpg',
  sourceUrl: null,
  original: true,
  comments: 'open',
  ...over,
});

describe('publishing an edition to the emulator (real HTTP)', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let redis: Redis;
  let client: WechatClient;
  const prefix = uniqueName('t-pub').toLowerCase();
  const files = {
    'media/a.png': png(),
    'media/b.jpg': jpeg(),
    'media/cover.jpg': jpeg(),
    'media/big.jpg': jpeg(1024 * 1024),
    'media/cover.png': png(),
    'media/huge-cover.jpg': jpeg(70 * 1024),
  };

  beforeAll(async () => {
    emu = await startEmulator();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    client = new WechatClient(
      emu.url,
      new WechatTokenHolder({ redis, prefix, baseUrl: emu.url, secretOf: async () => SECRET }),
    );
    emu.state.addWechatApp({ appid: 'wx_pub_sub', secret: SECRET, kind: 'subscription', verified: true });
    emu.state.addWechatApp({ appid: 'wx_pub_unverified', secret: SECRET, verified: false });
    emu.state.addWechatApp({ appid: 'wx_pub_free', secret: SECRET, kind: 'service', verified: true });
    emu.state.addWechatApp({ appid: 'wx_pub_lost', secret: SECRET, kind: 'subscription', verified: true });
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  });

  const edition = (over: Partial<Edition> = {}): Edition => ({
    idempotencyKey: `ed-${randomBytes(4).toString('hex')}`,
    articles: [article()],
    mode: 'masssend',
    ...over,
  });

  it('mass-sends: uploads body images and the cover, adds the draft, sends with clientmsgid, records each step', async () => {
    const recorded: PublishProgress[] = [];
    const media = mediaOf(files);
    const p = await client.publishEdition(
      'wx_pub_sub',
      edition(),
      emptyProgress(),
      async (x) => void recorded.push(structuredClone(x)),
      media,
    );
    expect(Object.keys(p.uploadedImages).sort()).toEqual(['media/a.png', 'media/b.jpg']);
    expect(Object.values(p.uploadedImages).every((u) => u.startsWith('http://mmbiz.qpic.cn/'))).toBe(true);
    expect(p.coverMediaIds[0]).toMatch(/^emu_media_/);
    expect(p.draftMediaId).toMatch(/^emu_draft_/);
    expect(p.msgId).toMatch(/^\d+$/);
    expect(p.msgDataId).toMatch(/^\d+$/);
    expect(recorded).toHaveLength(5);
    expect(recorded[3]?.msgId).toBeNull();
    expect(await client.publishState('wx_pub_sub', p)).toEqual({ state: 'published', articles: [] });

    // The second mass send of the day is refused with quota_exhausted and the editor is told what to do.
    const second = await client
      .publishEdition('wx_pub_sub', edition(), emptyProgress(), async () => {}, media)
      .catch((e: unknown) => e);
    expect(second).toMatchObject({ kind: 'quota_exhausted', detail: { code: 45028 } });
    expect((second as PlatformError).detail.editorMessage).toMatch(/今日群发次数已用完/);
  });

  it('resumes after the last completed step and never re-uploads', async () => {
    const media = mediaOf(files);
    let saved = emptyProgress();
    emu.state.knobs.queued.push({ kind: 'system_error', path: '/cgi-bin/draft/add' });
    const first = await client
      .publishEdition(
        'wx_pub_free',
        edition({ mode: 'freepublish' }),
        saved,
        async (x) => {
          saved = structuredClone(x);
        },
        media,
      )
      .catch((e: unknown) => e);
    expect(first).toMatchObject({ kind: 'transient' });
    expect(saved.coverMediaIds[0]).toBeTruthy();
    expect(saved.draftMediaId).toBeNull();
    const loadsBefore = media.loads.length;
    const p = await client.publishEdition(
      'wx_pub_free',
      edition({ mode: 'freepublish' }),
      saved,
      async () => {},
      media,
    );
    expect(media.loads.length).toBe(loadsBefore);
    expect(p.publishId).toBeTruthy();
    expect(await client.publishState('wx_pub_free', p)).toEqual({ state: 'publishing' });
    const done = await client.publishState('wx_pub_free', p);
    expect(done).toMatchObject({
      state: 'published',
      articles: [{ url: expect.stringMatching(/^https:\/\/mp\.weixin\.qq\.com\/s\//) }],
    });
    // freepublish/batchget lists it with the same URL; nothing before "since" is returned.
    const listed = await client.listPublished('wx_pub_free', new Date(Date.now() - 60_000));
    const url = (done as { articles: Array<{ url: string }> }).articles[0]?.url;
    expect(listed).toEqual([expect.objectContaining({ title: '大乐透第 25135 期开奖公告', url })]);
    expect(await client.listPublished('wx_pub_free', new Date(Date.now() + 60_000))).toEqual([]);
  });

  it('reports a lost mass-send response as unknown_outcome; the clientmsgid then finds the earlier send', async () => {
    const ed = edition();
    let saved = emptyProgress();
    emu.state.knobs.queued.push({ kind: 'lost_response', path: '/cgi-bin/message/mass/sendall' });
    const err = await client
      .publishEdition(
        'wx_pub_lost',
        ed,
        saved,
        async (x) => {
          saved = structuredClone(x);
        },
        mediaOf(files),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    expect(saved.draftMediaId).toBeTruthy();
    expect(saved.msgId).toBeNull();
    // The send did happen. Sending again with the same clientmsgid is refused by WeChat (45065) with
    // the earlier msg_id, which the client takes as the answer: one send, and now its id.
    const sent = emu.state.wechat.get('wx_pub_lost')?.published.length;
    const resumed = await client.publishEdition('wx_pub_lost', ed, saved, async () => {}, mediaOf(files));
    expect(resumed.msgId).toMatch(/^\d+$/);
    expect(emu.state.wechat.get('wx_pub_lost')?.published.length).toBe(sent);
  });

  it('refuses freepublish on an unverified account with not_permitted (48001)', async () => {
    const err = await client
      .publishEdition(
        'wx_pub_unverified',
        edition({ mode: 'freepublish' }),
        emptyProgress(),
        async () => {},
        mediaOf(files),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'not_permitted', detail: { code: 48001 } });
  });

  it('checks the documented limits before any call, each with a Chinese message naming the fix', async () => {
    const before = emu.state.stats.requests;
    const cases: Array<[Partial<Edition>, RegExp]> = [
      [{ articles: [article({ title: '标'.repeat(33) })] }, /标题须为 1–32 个字，当前 33 个字/],
      [{ articles: [article({ author: '作'.repeat(17) })] }, /作者最多 16 个字/],
      [{ articles: [article({ digest: '摘'.repeat(129) })] }, /摘要最多 128 个字/],
      [{ articles: [article({ contentHtml: 'x'.repeat(20_000) })] }, /正文须少于 2 万字符/],
      [{ articles: Array.from({ length: 9 }, () => article()) }, /1–8 篇文章，当前 9 篇/],
      [{ articles: [] }, /当前 0 篇/],
    ];
    for (const [over, message] of cases) {
      const err = await client
        .publishEdition('wx_pub_sub', edition(over), emptyProgress(), async () => {}, mediaOf(files))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'invalid_content' });
      expect((err as PlatformError).detail.editorMessage).toMatch(message);
    }
    expect(emu.state.stats.requests).toBe(before);
  });

  it('refuses non-JPEG or oversized covers, oversized body images and unreachable images', async () => {
    const attempt = (a: Partial<EditionArticle>) =>
      client
        .publishEdition(
          'wx_pub_free',
          edition({ articles: [article(a)], mode: 'freepublish' }),
          emptyProgress(),
          async () => {},
          mediaOf(files),
        )
        .then(
          () => {
            throw new Error('expected a refusal');
          },
          (e: unknown) => e as PlatformError,
        );
    expect((await attempt({ coverImage: 'media/cover.png' })).detail.editorMessage).toMatch(/封面须为 JPG/);
    expect((await attempt({ coverImage: 'media/huge-cover.jpg' })).detail.editorMessage).toMatch(
      /封面须不超过 64KB/,
    );
    expect((await attempt({ contentHtml: '<img src="media/big.jpg">' })).detail.editorMessage).toMatch(
      /须小于 1MB/,
    );
    expect(
      (await attempt({ contentHtml: '<img src="https://example.invalid/x.jpg">' })).detail.editorMessage,
    ).toMatch(/无法获取/);
  });
});

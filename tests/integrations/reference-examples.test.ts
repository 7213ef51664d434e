import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import { emptyProgress, type PublishProgress } from '../../integrations/platform.js';
import { WechatTokenHolder } from '../../integrations/wechat/token-holder.js';
import { WechatClient } from '../../integrations/wechat/wechat.client.js';
import { WeiboClient } from '../../integrations/weibo/weibo.client.js';
import { clearPrefix, uniqueName } from '../helpers/services.js';
import { testServiceUrls } from '../helpers/urls.js';

/**
 * Contract tests: the documented example responses (tests/fixtures/reference-examples.json, copied
 * from the reference file) are served over real HTTP and read by our clients.
 */
const EXAMPLES = JSON.parse(
  readFileSync(new URL('../fixtures/reference-examples.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const example = (name: string) => {
  const body = EXAMPLES[name];
  if (!body) throw new Error(`no example ${name}`);
  return body;
};

describe('the documented example responses parse with our clients', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let redis: Redis;
  let wechat: WechatClient;
  let weibo: WeiboClient;
  const prefix = uniqueName('t-ref').toLowerCase();
  const serve = (path: string, name: string, status = 200) =>
    emu.state.knobs.canned.push({ path, status, body: example(name) });

  beforeAll(async () => {
    emu = await startEmulator();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
    wechat = new WechatClient(
      emu.url,
      new WechatTokenHolder({
        redis,
        prefix,
        baseUrl: emu.url,
        secretOf: async () => 'secret-secret-secret',
      }),
    );
    weibo = new WeiboClient(emu.url, ['example.gov.cn']);
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  });

  it('WeChat: stable_token, menu, the publishing steps and their states', async () => {
    serve('/cgi-bin/stable_token', 'wechat.stable_token');
    serve('/cgi-bin/get_current_selfmenu_info', 'wechat.selfmenu');
    const menu = (await wechat.customMenu('wx_reference')) as {
      selfmenu_info: { button: Array<{ sub_button?: { list: unknown[] } }> };
    };
    expect(menu.selfmenu_info.button[1]?.sub_button?.list).toHaveLength(3);

    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(100)]);
    const media = { load: async () => ({ bytes: jpeg, filename: 'x.jpg' }) };
    serve('/cgi-bin/media/uploadimg', 'wechat.uploadimg');
    serve('/cgi-bin/material/add_material', 'wechat.add_material');
    serve('/cgi-bin/draft/add', 'wechat.draft_add');
    serve('/cgi-bin/freepublish/submit', 'wechat.freepublish_submit');
    const edition = {
      idempotencyKey: 'ref-1',
      mode: 'freepublish' as const,
      articles: [
        {
          title: '标题',
          author: null,
          digest: null,
          contentHtml: '<img src="a.jpg">',
          coverImage: 'c.jpg',
          sourceUrl: null,
          original: false,
          comments: 'open' as const,
        },
      ],
    };
    const p: PublishProgress = await wechat.publishEdition(
      'wx_reference',
      edition,
      emptyProgress(),
      async () => {},
      media,
    );
    expect(p).toMatchObject({
      uploadedImages: { 'a.jpg': 'http://mmbiz.qpic.cn/XXXXX' },
      coverMediaIds: { 0: 'MEDIA_ID_654321' },
      draftMediaId: 'MEDIA_ID',
      publishId: '100000001',
    });

    serve('/cgi-bin/freepublish/get', 'wechat.freepublish_get_success');
    expect(await wechat.publishState('wx_reference', p)).toEqual({
      state: 'published',
      articles: [{ articleId: 'ARTICLE_ID', url: 'ARTICLE_URL' }],
    });
    serve('/cgi-bin/freepublish/get', 'wechat.freepublish_get_original_failed');
    expect(await wechat.publishState('wx_reference', p)).toEqual({
      state: 'failed',
      reason: '原创声明失败（第 1、2 篇）',
    });

    serve('/cgi-bin/message/mass/sendall', 'wechat.mass_sendall');
    const sent = await wechat.publishEdition(
      'wx_reference',
      { ...edition, mode: 'masssend' },
      { ...p, publishId: null },
      async () => {},
      media,
    );
    expect(sent.msgId).toBe('34182');
    serve('/cgi-bin/message/mass/get', 'wechat.mass_get');
    expect(await wechat.publishState('wx_reference', { ...sent, publishId: null })).toEqual({
      state: 'published',
      articles: [],
    });

    serve('/cgi-bin/message/mass/sendall', 'wechat.error_45028');
    await expect(
      wechat.publishEdition(
        'wx_reference',
        { ...edition, mode: 'masssend' },
        { ...p, publishId: null },
        async () => {},
        media,
      ),
    ).rejects.toMatchObject({
      kind: 'quota_exhausted',
      detail: { code: 45028 },
    });
  });

  it('left no documented example unserved', () => {
    expect(emu.state.knobs.canned).toEqual([]);
  });

  it('Weibo: share keeps the 64-bit id, users/show, statuses count, token info, and the error format', async () => {
    serve('/2/statuses/share.json', 'weibo.share');
    const shared = await weibo.share('t', {
      text: '分组定向图片微博 https://www.example.gov.cn/x',
      rip: '1.2.3.4',
    });
    expect(shared).toEqual({ id: '3504803600502730', createdAt: 'Wed Oct 24 23:49:17 +0800 2012' });
    serve('/2/users/show.json', 'weibo.users_show');
    expect(await weibo.usersShow('t', '1404376560')).toEqual({
      uid: '1404376560',
      followers: 1204,
      statuses: 2908,
      screenName: 'zaku',
      // "Tue May 24 18:04:53 +0800 2011": Weibo's own time format, Beijing time.
      latest: { id: '11142488790', text: '我的相机到了。', createdAt: new Date('2011-05-24T10:04:53Z') },
    });
    serve('/2/statuses/count.json', 'weibo.count_sp');
    expect(await weibo.statusesCount('t', ['3468865533114224'])).toEqual([
      { id: '3468865533114224', comments: 37495, reposts: 39118, attitudes: 0 },
    ]);
    serve('/oauth2/get_token_info', 'weibo.token_info');
    const info = await weibo.tokenInfo('t', 0);
    expect(info).toEqual({ uid: '1073880650', expiresAt: new Date(157679471 * 1000) });
    serve('/2/users/show.json', 'weibo.error', 403);
    await expect(weibo.usersShow('t', '1')).rejects.toMatchObject({
      platform: 'weibo',
      detail: { code: '20502' },
    });
  });
});

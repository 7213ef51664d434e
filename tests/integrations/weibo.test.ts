import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import type { PlatformError } from '../../integrations/platform.js';
import { WeiboClient } from '../../integrations/weibo/weibo.client.js';
import { safeDomainLinks, weiboLength } from '../../integrations/weibo/weibo.text.js';

describe('Weibo text rules', () => {
  it('counts CJK as 1, ASCII as half, and each URL as 10', () => {
    expect(weiboLength('体彩')).toBe(2);
    expect(weiboLength('abc')).toBe(2);
    expect(weiboLength('体彩 https://www.example.gov.cn/a?b=1')).toBe(3 + 10);
    expect(weiboLength('开'.repeat(140))).toBe(140);
    expect(weiboLength('a'.repeat(280))).toBe(140);
  });
  it('finds links on the safe domains, subdomains included', () => {
    expect(
      safeDomainLinks('见 https://lottery.example.gov.cn/x 和 https://evil.com', ['example.gov.cn']),
    ).toEqual(['https://lottery.example.gov.cn/x']);
    expect(safeDomainLinks('见 https://notexample.gov.cn/x', ['example.gov.cn'])).toEqual([]);
  });
});

describe('Weibo client against the emulator (real HTTP)', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let client: WeiboClient;
  const uid = '5000000000000042';
  const token = `wb-${randomBytes(8).toString('hex')}`;
  const link = 'https://www.example.gov.cn/draw/25135';
  const post = (text: string, extra: Partial<Parameters<WeiboClient['share']>[1]> = {}) =>
    client.share(token, { text, rip: '203.0.113.10', ...extra }).catch((e: unknown) => e as PlatformError);

  beforeAll(async () => {
    emu = await startEmulator();
    client = new WeiboClient(emu.url, ['example.gov.cn']);
    emu.weibo.users.set(uid, { uid, screenName: '体彩微博', followers: 12_345, statuses: 0 });
    emu.weibo.tokens.set(token, { uid, expiresAt: Date.now() + 30 * 86_400_000 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('shares a post with one picture; the 64-bit id keeps every digit', async () => {
    const r = await client.share(token, {
      text: `大乐透第 25135 期开奖公告 ${link}`,
      rip: '203.0.113.10',
      picture: {
        bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(500)]),
        filename: 'draw.jpg',
      },
    });
    expect(r.id).toMatch(/^49\d{14}$/);
    expect(emu.weibo.posts.has(r.id)).toBe(true);
    const counts = await client.statusesCount(token, [r.id]);
    expect(counts).toEqual([{ id: r.id, comments: 0, reposts: 0, attitudes: 0 }]);
    expect(await client.usersShow(token, uid)).toMatchObject({ uid, followers: 12_345, statuses: 1 });
  });

  it('refuses before sending: over 140, a #topic#, no safe-domain link — each with a message naming the fix', async () => {
    const before = emu.state.stats.requests;
    expect(((await post(`${'开'.repeat(131)} ${link}`)) as PlatformError).detail.editorMessage).toMatch(
      /超过 140 字上限/,
    );
    expect(((await post(`#开奖# 公告 ${link}`)) as PlatformError).detail.editorMessage).toMatch(
      /不能包含 #话题词#/,
    );
    expect(((await post('公告 https://other.example.com/x')) as PlatformError).detail.editorMessage).toMatch(
      /安全域名/,
    );
    expect(emu.state.stats.requests).toBe(before);
  });

  it('maps platform refusals: picture type, repeat content, expired token', async () => {
    const gif = await post(`配图测试 ${link}`, {
      picture: { bytes: Buffer.from('not an image'), filename: 'x.txt' },
    });
    expect(gif).toMatchObject({ kind: 'invalid_content', detail: { code: '20005' } });
    await client.share(token, { text: `重复内容 ${link}`, rip: '203.0.113.10' });
    expect(await post(`重复内容 ${link}`)).toMatchObject({
      kind: 'invalid_content',
      detail: { code: '20019' },
    });
    const old = `wb-old-${randomBytes(4).toString('hex')}`;
    emu.weibo.tokens.set(old, { uid, expiresAt: Date.now() - 1000 });
    const expired = await client
      .share(old, { text: `过期 ${link}`, rip: '1.2.3.4' })
      .catch((e: unknown) => e);
    expect(expired).toMatchObject({ kind: 'reauth', detail: { code: '21327' } });
  });

  it('reports a lost response to a post as unknown_outcome', async () => {
    emu.state.knobs.queued.push({ kind: 'lost_response', path: '/2/statuses/share.json' });
    expect(await post(`丢失的响应 ${link}`)).toMatchObject({ kind: 'unknown_outcome' });
  });

  it('verify: token and analytics work; a token expiring within 3 days is flagged; another user is refused', async () => {
    const ok = await client.verify(token, uid);
    expect(ok).toMatchObject({ token: true, analytics: true, problems: [] });
    const soon = `wb-soon-${randomBytes(4).toString('hex')}`;
    emu.weibo.tokens.set(soon, { uid, expiresAt: Date.now() + 2 * 86_400_000 });
    const flagged = await client.verify(soon, uid);
    expect(flagged.token).toBe(true);
    expect(flagged.problems[0]?.editorMessage).toMatch(/微博授权将于 .* 过期/);
    const other = await client.verify(token, '5000000000000099');
    expect(other).toMatchObject({ token: false, problems: [{ kind: 'reauth' }] });
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import { PlatformError } from '../../integrations/platform.js';
import { WechatTokenHolder } from '../../integrations/wechat/token-holder.js';
import { WechatApiAdapter } from '../../integrations/wechat/wechat-api.adapter.js';
import { clearPrefix, uniqueName } from '../helpers/services.js';
import { spawnTs } from '../helpers/spawn.js';
import { testServiceUrls } from '../helpers/urls.js';

describe('WeChat token holder against the emulator (real HTTP, real Redis)', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let redis: Redis;
  const prefixes: string[] = [];
  const SECRET = 'emulator-secret-0123456789abcdef';

  const holderFor = (prefix = uniqueName('t-wx').toLowerCase(), secret = SECRET) => {
    prefixes.push(prefix);
    return {
      prefix,
      holder: new WechatTokenHolder({ redis, prefix, baseUrl: emu.url, secretOf: async () => secret }),
    };
  };
  const menu = (token: string) =>
    new WechatApiAdapter(emu.url).call<{ is_menu_open: number }>(
      token,
      'cgi-bin/get_current_selfmenu_info',
      undefined,
      { method: 'GET', idempotent: true },
    );
  const stats = () => ({ ...emu.state.stats });

  beforeAll(async () => {
    emu = await startEmulator();
    redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    for (const p of prefixes) await clearPrefix(redis, p);
    await redis.quit();
    await emu.close();
  });

  it('1,000 concurrent callers in two processes cause exactly one token fetch', async () => {
    emu.state.addWechatApp({ appid: 'wx_single_flight', secret: SECRET });
    const { prefix, holder } = holderFor();
    const before = stats().tokenFetches;
    const startAt = Date.now() + 2500;
    const child = spawnTs('tests/fixtures/token-callers.ts', [], {
      REDIS_URL: testServiceUrls().redisUrl,
      REDIS_PREFIX: prefix,
      WECHAT_API_BASE: emu.url,
      APP_SECRET: SECRET,
      APPID: 'wx_single_flight',
      CALLERS: '500',
      START_AT: String(startAt),
    });
    await new Promise((r) => setTimeout(r, startAt - Date.now()));
    const mine = await Promise.all(Array.from({ length: 500 }, () => holder.token('wx_single_flight')));
    const { code } = await child.exited;
    expect(code, child.stderr()).toBe(0);
    const theirs = JSON.parse(child.stdout()) as string[];
    expect(new Set([...mine, ...theirs]).size).toBe(1);
    expect(stats().tokenFetches - before).toBe(1);
  }, 30_000);

  it('recovers from a repeated 40001 with exactly one forced refresh', async () => {
    emu.state.addWechatApp({ appid: 'wx_40001', secret: SECRET });
    const { holder } = holderFor();
    const first = await holder.token('wx_40001');
    const before = stats();
    emu.state.knobs.queued.push(
      { kind: 'invalid_token_40001', path: '/cgi-bin/get_current_selfmenu_info' },
      { kind: 'invalid_token_40001', path: '/cgi-bin/get_current_selfmenu_info' },
    );
    let used = '';
    const r = await holder.withToken('wx_40001', (t) => {
      used = t;
      return menu(t);
    });
    expect(r.is_menu_open).toBe(1);
    expect(stats().forceRefreshes - before.forceRefreshes).toBe(1);
    expect(used).not.toBe(first);
    // The old token died with the forced refresh.
    await expect(menu(first)).rejects.toMatchObject({ kind: 'auth', detail: { code: 40001 } });
  });

  it('picks up a token renewed elsewhere without forcing', async () => {
    const app = emu.state.addWechatApp({ appid: 'wx_renewed', secret: SECRET });
    const { holder } = holderFor();
    const old = await holder.token('wx_renewed');
    // Another party forced a refresh: our cached token is dead, the platform has a new one.
    emu.state.issueToken(app);
    app.previous = null;
    const before = stats().forceRefreshes;
    const r = await holder.withToken('wx_renewed', menu);
    expect(r.is_menu_open).toBe(1);
    expect(stats().forceRefreshes).toBe(before);
    expect(await holder.token('wx_renewed')).not.toBe(old);
  });

  it('refreshes when less than 5 minutes remain', async () => {
    const app = emu.state.addWechatApp({ appid: 'wx_expiring', secret: SECRET });
    let clock = Date.now();
    const prefix = uniqueName('t-wx').toLowerCase();
    prefixes.push(prefix);
    const holder = new WechatTokenHolder({
      redis,
      prefix,
      baseUrl: emu.url,
      secretOf: async () => SECRET,
      now: () => clock,
    });
    emu.state.now = () => clock;
    try {
      const t1 = await holder.token('wx_expiring');
      clock += 7200_000 - 4 * 60_000;
      const t2 = await holder.token('wx_expiring');
      expect(t2).not.toBe(t1);
      expect(app.current?.token).toBe(t2);
    } finally {
      emu.state.now = Date.now;
    }
  });

  it('maps a wrong AppSecret and an IP off the whitelist to reauth with a message naming the fix', async () => {
    emu.state.addWechatApp({ appid: 'wx_wrong', secret: SECRET });
    const wrong = holderFor(undefined, 'not-the-secret').holder;
    const err = await wrong.token('wx_wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'reauth', detail: { code: 40125 } });
    expect((err as PlatformError).detail.editorMessage).toMatch(/AppSecret/);

    emu.state.addWechatApp({ appid: 'wx_ip', secret: SECRET, ipWhitelist: ['10.9.9.9'] });
    const ip = await holderFor()
      .holder.token('wx_ip')
      .catch((e: unknown) => e);
    expect(ip).toMatchObject({ kind: 'reauth', detail: { code: 40164 } });
    expect((ip as PlatformError).detail.editorMessage).toMatch(/IP 白名单/);
  });

  it('reports a lost response as unknown_outcome unless the call is idempotent; -1 and 5xx as transient', async () => {
    emu.state.addWechatApp({ appid: 'wx_lost', secret: SECRET });
    const token = await holderFor().holder.token('wx_lost');
    const call = (idempotent: boolean) =>
      new WechatApiAdapter(emu.url).call(token, 'cgi-bin/get_current_selfmenu_info', undefined, {
        method: 'GET',
        idempotent,
      });
    emu.state.knobs.queued.push({ kind: 'lost_response' });
    await expect(call(false)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    emu.state.knobs.queued.push({ kind: 'lost_response' });
    await expect(call(true)).rejects.toMatchObject({ kind: 'transient' });
    emu.state.knobs.queued.push({ kind: 'system_error' });
    await expect(call(true)).rejects.toMatchObject({ kind: 'transient', detail: { code: -1 } });
    emu.state.knobs.queued.push({ kind: 'http_5xx' });
    await expect(call(false)).rejects.toMatchObject({ kind: 'unknown_outcome', detail: { code: 502 } });
    emu.state.knobs.queued.push({ kind: 'quota_45009' });
    await expect(call(true)).rejects.toMatchObject({ kind: 'quota_exhausted' });
  });

  it('reports a timeout as unknown_outcome for a send and transient for a read', async () => {
    emu.state.addWechatApp({ appid: 'wx_timeout', secret: SECRET });
    const token = await holderFor().holder.token('wx_timeout');
    const call = (idempotent: boolean) =>
      new WechatApiAdapter(emu.url).call(token, 'cgi-bin/get_current_selfmenu_info', undefined, {
        method: 'GET',
        idempotent,
        timeoutMs: 300,
      });
    emu.state.knobs.queued.push({ kind: 'timeout' });
    await expect(call(false)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    emu.state.knobs.queued.push({ kind: 'timeout' });
    await expect(call(true)).rejects.toMatchObject({ kind: 'transient' });
  });

  it('limits forced refreshes to one per 30 s', async () => {
    emu.state.addWechatApp({ appid: 'wx_force', secret: SECRET });
    const { holder } = holderFor();
    const t = await holder.token('wx_force');
    await holder.replaceRefused('wx_force', t);
    const forced = await holder.replaceRefused('wx_force', t);
    expect(forced).not.toBe(t);
    await holder.replaceRefused('wx_force', forced);
    await expect(holder.replaceRefused('wx_force', forced)).rejects.toMatchObject({ kind: 'rate_limited' });
  });
});

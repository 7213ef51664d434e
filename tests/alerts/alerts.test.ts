import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertsContext, dispatchChannel, raiseAlert } from '../../core/alerts/alerts.service.js';
import { checkAllCredentials } from '../../core/alerts/credentials-check.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
} from '../helpers/identity.js';

const KEY = 'wecom-robot-key-7f3a9c';

/** A WeCom group robot on loopback: records messages, answers errcode 0 (or HTTP 500 when told). */
function robot() {
  const received: Array<{ url: string; body: { msgtype: string; markdown: { content: string } } }> = [];
  let failing = false;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      if (failing) {
        res.writeHead(500).end('oops');
        return;
      }
      received.push({ url: req.url ?? '', body: JSON.parse(data) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  return {
    received,
    fail: (on: boolean) => {
      failing = on;
    },
    start: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('alert channels: encrypted settings, test message, queued deliveries throttled to 20 a minute', () => {
  let h: IdentityHarness;
  let admin: SignedIn;
  let editor: SignedIn;
  let planner: SignedIn;
  const bot = robot();
  let base: string;
  let channelId: string;
  let ctx: AlertsContext;

  beforeAll(async () => {
    base = await bot.start();
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none', PUBLIC_URL: 'https://yy.example.gov.cn' });
    admin = await signIn(h.app, await createTestUser(h, 'superadmin'));
    editor = await signIn(h.app, await createTestUser(h, 'editor'));
    planner = await signIn(h.app, await createTestUser(h, 'planner'));
    ctx = { db: h.db, keyring: h.keyring, publicUrl: 'https://yy.example.gov.cn' };
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await bot.stop();
  });

  const api = (who: SignedIn, method: string, url: string, payload?: object) =>
    h.app.inject({ method: method as 'POST', url, headers: who.headers, ...(payload ? { payload } : {}) });

  it('stores the robot URL encrypted and never shows its key; refuses settings that cannot work', async () => {
    const created = await api(editor, 'POST', '/api/alerts/channels', {
      organisationId: h.orgId,
      name: '运营值班群',
      config: { type: 'wecom', webhookUrl: `${base}/cgi-bin/webhook/send?key=${KEY}` },
    });
    expect(created.statusCode, created.body).toBe(201);
    channelId = created.json().id;
    expect(created.body).not.toContain(KEY);
    const listed = await api(planner, 'GET', `/api/alerts/channels?organisationId=${h.orgId}`);
    expect(listed.body).not.toContain(KEY);
    const stored = await h.db
      .selectFrom('secrets')
      .select('ciphertext')
      .where('owner_id', '=', channelId)
      .executeTakeFirstOrThrow();
    expect(String(stored.ciphertext)).not.toContain(KEY);
    const audit = await h.db
      .selectFrom('audit_log')
      .select('details')
      .where('target_id', '=', channelId)
      .execute();
    expect(JSON.stringify(audit)).not.toContain(KEY);

    const noKey = await api(editor, 'POST', '/api/alerts/channels', {
      organisationId: h.orgId,
      name: '错误',
      config: { type: 'wecom', webhookUrl: `${base}/cgi-bin/webhook/send` },
    });
    expect(noKey.statusCode).toBe(422);
    expect(noKey.json().error.code).toBe('ALERT_CHANNEL_INVALID');
    expect(noKey.json().error.message).toMatch(/key/);
    expect(
      (await api(planner, 'POST', '/api/alerts/channels', { organisationId: h.orgId, name: 'x', config: {} }))
        .statusCode,
    ).toBe(403);
  });

  it('sends a test message on demand', async () => {
    const res = await api(editor, 'POST', `/api/alerts/channels/${channelId}/test`);
    expect(res.json()).toEqual({ ok: true });
    expect(bot.received.at(-1)?.url).toContain(`key=${KEY}`);
    expect(bot.received.at(-1)?.body.markdown.content).toMatch(/测试/);
  });

  it('a burst of 30 alerts goes out as 19 messages and one digest; the 21st message waits for the window', async () => {
    const before = bot.received.length;
    for (let i = 0; i < 30; i++)
      await raiseAlert(ctx, {
        organisationId: h.orgId,
        kind: 'publish_failed',
        title: `稿件${i}`,
        detail: '平台返回：系统繁忙',
        dedupeKey: `burst-${i}`,
      });
    // Raised twice, recorded once.
    await raiseAlert(ctx, {
      organisationId: h.orgId,
      kind: 'publish_failed',
      title: '稿件0',
      detail: 'x',
      dedupeKey: 'burst-0',
    });
    // The test message above used one slot of this minute's 20.
    const first = await dispatchChannel(ctx, channelId);
    expect(first).toMatchObject({ messages: 19, delivered: 30, failed: 0 });
    const sent = bot.received.slice(before);
    expect(sent).toHaveLength(19);
    expect(sent.at(-1)?.body.markdown.content).toMatch(/12 条提醒/);
    await raiseAlert(ctx, {
      organisationId: h.orgId,
      kind: 'sla_breached',
      title: '迟到的稿件',
      detail: '已超时',
      dedupeKey: 'late-1',
    });
    const second = await dispatchChannel(ctx, channelId);
    expect(second.messages).toBe(0);
    expect(second.waitMs).toBeGreaterThan(0);
    expect(second.waitMs).toBeLessThanOrEqual(60_000);
    const later = await dispatchChannel(ctx, channelId, new Date(Date.now() + 61_000));
    expect(later).toMatchObject({ messages: 1, delivered: 1 });
  });

  it('a failing robot: deliveries stay pending with a retry time, and are listed with their error', async () => {
    bot.fail(true);
    await raiseAlert(ctx, {
      organisationId: h.orgId,
      kind: 'publish_unconfirmed',
      title: '待确认',
      detail: '结果未知',
      dedupeKey: 'fail-1',
    });
    const at = new Date(Date.now() + 120_000);
    const r = await dispatchChannel(ctx, channelId, at);
    expect(r).toMatchObject({ messages: 1, delivered: 0, failed: 0 });
    expect(r.waitMs).toBeGreaterThan(0);
    bot.fail(false);
    const listed = (await api(editor, 'GET', `/api/alerts?organisationId=${h.orgId}&limit=5`)).json().items;
    const failing = listed.find((a: { title: string }) => a.title === '待确认');
    expect(failing.deliveries).toEqual([
      expect.objectContaining({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/500/) }),
    ]);
    const retried = await dispatchChannel(ctx, channelId, new Date(at.getTime() + r.waitMs + 61_000));
    expect(retried.delivered).toBe(1);
  });

  it('the daily credentials check raises one alert per account and day for accounts that need attention', async () => {
    await api(admin, 'POST', '/api/accounts', {
      organisationId: h.orgId,
      platform: 'weibo',
      name: '无凭据微博',
      externalId: '99887766',
    });
    const accounts = { db: h.db, keyring: h.keyring, verifiers: {} };
    const first = await checkAllCredentials(accounts, ctx);
    expect(first.attention).toBeGreaterThanOrEqual(1);
    await checkAllCredentials(accounts, ctx);
    const alerts = await h.db
      .selectFrom('alerts')
      .select('detail')
      .where('kind', '=', 'credentials_attention')
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.detail).toMatch(/无法检查该账号的授权/);
  });
});

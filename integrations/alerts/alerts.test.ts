import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEvent, AlertEventKind, ChannelConfig, DeliveryResult } from './alerts.types.js';
import { formatShanghai, renderMarkdown } from './messages.js';
import { sendAlert, validateChannel } from './senders.js';
import { planDeliveries } from './throttle.js';

const WECOM_KEY = 'wk-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const DING_TOKEN = 'dtok9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1';
const DING_SECRET = 'SECd41d8cd98f00b204e9800998ecf8427e0123456789abcdef';
const HOOK_SECRET = 'hook-secret-6c8f1e0b2a';
const HOOK_TOKEN = 'qs-token-77aa';

// ---------------------------------------------------------------------------------------------
// A local receiver that plays a WeCom robot, a DingTalk robot and a generic webhook.
// ---------------------------------------------------------------------------------------------

type Mode =
  | { kind: 'ok' }
  | { kind: 'errcode'; errcode: number; errmsg: string }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'hang' };

interface Received {
  path: string;
  query: URLSearchParams;
  rawQuery: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
  /** Server-side verdict on the DingTalk `sign` / webhook `x-yunying-signature`. */
  signatureOk: boolean | null;
}

let server: Server;
let base = '';
let mode: Mode = { kind: 'ok' };
let received: Received[] = [];

/** DingTalk's documented algorithm, written here independently of senders.ts. */
function expectedDingSign(timestamp: string, secret: string): Buffer {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  mac.update(Buffer.from([timestamp, secret].join('\n'), 'utf8'));
  return mac.digest();
}

function verifyDing(rawQuery: string): boolean {
  // Read the raw query by hand so that a sign sent without URL encoding ('+' → space) fails.
  const params = new Map(
    rawQuery.split('&').map((kv) => {
      const at = kv.indexOf('=');
      return [kv.slice(0, at), kv.slice(at + 1)] as const;
    }),
  );
  const ts = params.get('timestamp');
  const rawSign = params.get('sign');
  if (!ts || !rawSign || /[+/=]/.test(rawSign)) return false;
  if (Math.abs(Date.now() - Number(ts)) > 3_600_000) return false; // DingTalk: within an hour
  const got = Buffer.from(decodeURIComponent(rawSign), 'base64');
  const want = expectedDingSign(ts, DING_SECRET);
  return got.length === want.length && timingSafeEqual(got, want);
}

function verifyHook(headers: IncomingMessage['headers'], body: string): boolean | null {
  const sig = headers['x-yunying-signature'];
  if (sig === undefined) return null;
  const ts = String(headers['x-yunying-timestamp'] ?? '');
  const hex = createHmac('sha256', HOOK_SECRET).update(ts).update('.').update(body).digest('hex');
  return sig === `sha256=${hex}`;
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', base);
  const rawQuery = (req.url ?? '').split('?')[1] ?? '';
  let json: any = null;
  try {
    json = JSON.parse(body);
  } catch {
    // recorded as null
  }
  let signatureOk: boolean | null = null;
  if (url.pathname === '/robot/send') signatureOk = verifyDing(rawQuery);
  if (url.pathname === '/hook') signatureOk = verifyHook(req.headers, body);
  received.push({
    path: url.pathname,
    query: url.searchParams,
    rawQuery,
    headers: req.headers,
    body,
    json,
    signatureOk,
  });

  if (mode.kind === 'hang') return; // never answer
  if (mode.kind === 'status') {
    res.writeHead(mode.status, { 'content-type': 'text/plain', ...mode.headers });
    res.end(mode.body ?? 'error');
    return;
  }
  const reply = (o: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(o));
  };
  if (url.pathname === '/robot/send' && signatureOk === false) {
    reply({ errcode: 310000, errmsg: 'sign not match, more: [https://open.dingtalk.com/document/robots]' });
    return;
  }
  if (url.pathname === '/hook') {
    if (signatureOk === false) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(mode.kind === 'ok' ? 204 : 200).end();
    return;
  }
  if (mode.kind === 'errcode') reply({ errcode: mode.errcode, errmsg: mode.errmsg });
  else reply({ errcode: 0, errmsg: 'ok' });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  mode = { kind: 'ok' };
  received = [];
});

const wecom = (): ChannelConfig => ({
  type: 'wecom',
  webhookUrl: `${base}/cgi-bin/webhook/send?key=${WECOM_KEY}`,
});
const dingtalk = (secret = DING_SECRET): ChannelConfig => ({
  type: 'dingtalk',
  webhookUrl: `${base}/robot/send?access_token=${DING_TOKEN}`,
  secret,
});
const webhook = (secret: string | null = HOOK_SECRET): ChannelConfig => ({
  type: 'webhook',
  url: `${base}/hook?token=${HOOK_TOKEN}`,
  secret,
});

function event(over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    kind: 'publish_failed',
    organisationName: '市体育彩票管理中心',
    title: '国庆假期开奖安排',
    detail: '微信返回：素材已被删除（errcode 40007）',
    link: 'https://yunying.example.cn/contents/123',
    occurredAt: new Date('2026-11-23T02:00:00Z'), // 10:00 Beijing time
    accountName: '体彩公众号',
    ...over,
  };
}

const ALL_SECRETS = [WECOM_KEY, DING_TOKEN, DING_SECRET, HOOK_SECRET, HOOK_TOKEN];
function expectNoSecrets(r: DeliveryResult): void {
  if (r.ok) return;
  for (const s of ALL_SECRETS) expect(r.reason).not.toContain(s);
  expect(r.reason).not.toMatch(/[?&](key|access_token|sign|timestamp|token)=/);
}

// ---------------------------------------------------------------------------------------------

describe('renderMarkdown', () => {
  it('renders one event with the Chinese title, Beijing time, reason and link', () => {
    const { title, markdown } = renderMarkdown([event()]);
    expect(markdown).toBe(
      [
        '【发布失败】体彩公众号：国庆假期开奖安排',
        '原因：微信返回：素材已被删除（errcode 40007）',
        '时间：2026-11-23 10:00（北京时间）',
        '[查看详情](https://yunying.example.cn/contents/123)',
      ].join('\n'),
    );
    expect(title).toBe('【发布失败】体彩公众号');
  });

  it.each<[AlertEventKind, string]>([
    ['publish_failed', '发布失败'],
    ['publish_unconfirmed', '发布结果待确认'],
    ['sla_at_risk', '发布时限将到'],
    ['sla_breached', '发布超时'],
    ['credentials_attention', '账号授权需处理'],
    ['test', '测试消息'],
  ])('titles %s as 【%s】', (kind, zh) => {
    expect(renderMarkdown([event({ kind })]).markdown.split('\n')[0]).toBe(
      `【${zh}】体彩公众号：国庆假期开奖安排`,
    );
  });

  it('shows times in Asia/Shanghai across the date line, and omits a missing link', () => {
    expect(formatShanghai(new Date('2026-11-23T16:30:00Z'))).toBe('2026-11-24 00:30');
    const { markdown } = renderMarkdown([
      event({ occurredAt: new Date('2026-11-23T16:30:00Z'), link: null, accountName: undefined }),
    ]);
    expect(markdown).toContain('时间：2026-11-24 00:30（北京时间）');
    expect(markdown).toContain('【发布失败】市体育彩票管理中心：国庆假期开奖安排');
    expect(markdown).not.toContain('查看详情');
  });

  it('does not repeat the account name when it is the title, and neutralises markdown in user text', () => {
    const cred = renderMarkdown([
      event({ kind: 'credentials_attention', title: '体彩公众号', detail: '授权将于 3 天后过期' }),
    ]).markdown;
    expect(cred.split('\n')[0]).toBe('【账号授权需处理】体彩公众号');
    const sneaky = renderMarkdown([
      event({ title: '点我[领奖](https://evil.example)\n### 大标题 <font color="warning">x</font>' }),
    ]).markdown;
    expect(sneaky).not.toContain('](https://evil');
    expect(sneaky).not.toContain('<font');
    expect(sneaky.split('\n')).toHaveLength(4);
    expect(renderMarkdown([event({ link: 'javascript:alert(1)' })]).markdown).not.toContain('查看详情');
    expect(renderMarkdown([event({ link: 'https://x.cn/a (b)' })]).markdown).toContain(
      '(https://x.cn/a%20%28b%29)',
    );
  });

  it('renders a digest grouped by kind, most urgent first', () => {
    const events = [
      event({ kind: 'sla_at_risk', title: '周报', occurredAt: new Date('2026-11-23T02:01:00Z') }),
      event({ kind: 'publish_failed', title: '通知一', occurredAt: new Date('2026-11-23T02:02:00Z') }),
      event({ kind: 'publish_failed', title: '通知二', occurredAt: new Date('2026-11-23T02:00:00Z') }),
    ];
    const { title, markdown } = renderMarkdown(events, { now: new Date('2026-11-23T02:05:00Z') });
    expect(title).toBe('近 5 分钟内 3 条提醒');
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('### 近 5 分钟内 3 条提醒');
    expect(lines[1]).toBe('发布失败 2 条｜发布时限将到 1 条');
    expect(lines[2]).toBe('**发布失败**');
    expect(lines[3]).toContain('- 10:00 体彩公众号：通知二');
    expect(lines[4]).toContain('- 10:02 体彩公众号：通知一');
    expect(lines[5]).toBe('**发布时限将到**');
    expect(lines[6]).toContain('[详情](https://yunying.example.cn/contents/123)');
    expect(markdown).not.toContain('另有');
  });

  it('truncates a 200-event digest under WeCom’s 4096 bytes with "另有 K 条"', () => {
    const kinds: AlertEventKind[] = ['publish_failed', 'sla_breached', 'publish_unconfirmed', 'sla_at_risk'];
    const events = Array.from({ length: 200 }, (_, i) =>
      event({
        kind: kinds[i % 4] as AlertEventKind,
        title: `关于做好2026年第${i}期体育彩票公益金使用情况公示工作的通知`,
        link: `https://yunying.example.cn/contents/${1000 + i}`,
        occurredAt: new Date(Date.UTC(2026, 10, 23, 2, 0, i)),
      }),
    );
    const { markdown } = renderMarkdown(events, { now: new Date('2026-11-23T02:10:00Z') });
    expect(Buffer.byteLength(markdown, 'utf8')).toBeLessThan(4096);
    expect(markdown.split('\n')[0]).toBe('### 近 10 分钟内 200 条提醒');
    expect(markdown).toContain('发布失败 50 条｜发布超时 50 条｜发布结果待确认 50 条｜发布时限将到 50 条');
    const shown = markdown.split('\n').filter((l) => l.startsWith('- ')).length;
    expect(shown).toBeGreaterThan(5);
    expect(markdown.endsWith(`另有 ${200 - shown} 条，请登录后台查看`)).toBe(true);
    // DingTalk's budget is larger: everything fits in 18,000 bytes.
    const ding = renderMarkdown(events, { maxBytes: 18_000, now: new Date('2026-11-23T02:10:00Z') }).markdown;
    expect(Buffer.byteLength(ding, 'utf8')).toBeLessThanOrEqual(18_000);
    expect(
      ding.split('\n').filter((l) => l.startsWith('- ')).length +
        Number(/另有 (\d+) 条/.exec(ding)?.[1] ?? 0),
    ).toBe(200);
  });
});

describe('sendAlert: WeCom group robot', () => {
  it('posts the markdown message', async () => {
    const r = await sendAlert(wecom(), [event()]);
    expect(r).toEqual({ ok: true });
    expect(received).toHaveLength(1);
    const got = received[0] as Received;
    expect(got.path).toBe('/cgi-bin/webhook/send');
    expect(got.query.get('key')).toBe(WECOM_KEY);
    expect(got.headers['content-type']).toContain('application/json');
    expect(got.json).toEqual({
      msgtype: 'markdown',
      markdown: { content: renderMarkdown([event()]).markdown },
    });
  });

  it('keeps a 200-event digest under 4096 bytes on the wire', async () => {
    const events = Array.from({ length: 200 }, (_, i) =>
      event({ title: `第${i}条较长的标题用于测试截断是否正确生效` }),
    );
    expect(await sendAlert(wecom(), events)).toEqual({ ok: true });
    expect(Buffer.byteLength((received[0] as Received).json.markdown.content, 'utf8')).toBeLessThan(4096);
  });

  it('45009 (frequency limit) is retryable after a minute', async () => {
    mode = { kind: 'errcode', errcode: 45009, errmsg: 'api freq out of limit' };
    const r = await sendAlert(wecom(), [event()]);
    expect(r).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 });
    expectNoSecrets(r);
  });

  it('93000 (invalid webhook url) is not retryable, and the key echoed back is scrubbed', async () => {
    mode = {
      kind: 'errcode',
      errcode: 93000,
      errmsg: `invalid webhook url ${WECOM_KEY}, hint: [1755605200], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=93000&key=${WECOM_KEY}`,
    };
    const r = await sendAlert(wecom(), [event()]);
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(!r.ok && r.reason).toContain('93000');
    expectNoSecrets(r);
  });

  it('40008 is not retryable', async () => {
    mode = { kind: 'errcode', errcode: 40008, errmsg: 'invalid message type' };
    expect(await sendAlert(wecom(), [event()])).toMatchObject({ ok: false, retryable: false });
  });

  it('HTTP 500 is retryable', async () => {
    mode = { kind: 'status', status: 500 };
    const r = await sendAlert(wecom(), [event()]);
    expect(r).toMatchObject({ ok: false, retryable: true });
    expectNoSecrets(r);
  });

  it('a hanging robot times out as retryable', async () => {
    mode = { kind: 'hang' };
    const started = Date.now();
    const r = await sendAlert(wecom(), [event()], { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r).toMatchObject({ ok: false, retryable: true });
    expect(!r.ok && r.reason).toContain('没有应答');
    expectNoSecrets(r);
  });

  it('a refused connection is retryable and names no key', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await sendAlert(
      { type: 'wecom', webhookUrl: `http://127.0.0.1:${port}/send?key=${WECOM_KEY}` },
      [event()],
    );
    expect(r).toMatchObject({ ok: false, retryable: true });
    expect(!r.ok && r.reason).toContain('ECONNREFUSED');
    expectNoSecrets(r);
  });

  it('a network error thrown by fetch with the full URL in its message leaks nothing', async () => {
    const fetchImpl = (async (input: string | URL | Request) => {
      throw new TypeError(`fetch failed: ${String(input)}`);
    }) as typeof fetch;
    const r = await sendAlert(wecom(), [event()], { fetchImpl });
    expect(r).toMatchObject({ ok: false, retryable: true });
    expectNoSecrets(r);
  });
});

describe('sendAlert: DingTalk custom robot (加签)', () => {
  it('signs the URL and posts the markdown message; the server verifies the signature', async () => {
    const r = await sendAlert(dingtalk(), [event()]);
    expect(r).toEqual({ ok: true });
    const got = received[0] as Received;
    expect(got.signatureOk).toBe(true);
    expect(got.query.get('access_token')).toBe(DING_TOKEN);
    expect(Math.abs(Number(got.query.get('timestamp')) - Date.now())).toBeLessThan(60_000);
    expect(got.json.msgtype).toBe('markdown');
    expect(got.json.markdown.title).toBe('【发布失败】体彩公众号');
    expect(got.json.markdown.text).toContain('【发布失败】体彩公众号：国庆假期开奖安排  \n原因：');
    expect(got.json.markdown.text).toContain('时间：2026-11-23 10:00（北京时间）');
  });

  it('signs many timestamps correctly (base64 "+" and "/" are URL-encoded)', async () => {
    for (let i = 0; i < 25; i++) {
      const ts = 1_790_000_000_000 + i * 7919;
      await sendAlert(dingtalk(), [event()], { now: () => ts });
    }
    // These timestamps are far from the server's clock: check the signature part alone.
    for (const got of received) {
      const ts = got.query.get('timestamp') as string;
      const raw = /(?:^|&)sign=([^&]*)/.exec(got.rawQuery)?.[1] as string;
      expect(raw).not.toMatch(/[+/=]/);
      expect(Buffer.from(decodeURIComponent(raw), 'base64').equals(expectedDingSign(ts, DING_SECRET))).toBe(
        true,
      );
    }
  });

  it('a wrong secret gets 310000 from the robot: not retryable, and no secret in the reason', async () => {
    const wrong = 'SECffffffffffffffffffffffffffffffffffffffff';
    const r = await sendAlert(dingtalk(wrong), [event()]);
    expect((received[0] as Received).signatureOk).toBe(false);
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(!r.ok && r.reason).toContain('310000');
    expectNoSecrets(r);
    expect(!r.ok && r.reason).not.toContain(wrong);
  });

  it('130101 (too fast) is retryable after a minute', async () => {
    mode = { kind: 'errcode', errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
    const r = await sendAlert(dingtalk(), [event()]);
    expect(r).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 });
    expectNoSecrets(r);
  });

  it('310000 for keywords / IP is not retryable', async () => {
    mode = { kind: 'errcode', errcode: 310000, errmsg: 'keywords not in content' };
    const r = await sendAlert(dingtalk(), [event()]);
    expect(r).toMatchObject({ ok: false, retryable: false });
    expectNoSecrets(r);
  });

  it('HTTP 502 and timeouts are retryable', async () => {
    mode = { kind: 'status', status: 502 };
    expect(await sendAlert(dingtalk(), [event()])).toMatchObject({ ok: false, retryable: true });
    mode = { kind: 'hang' };
    const r = await sendAlert(dingtalk(), [event()], { timeoutMs: 200 });
    expect(r).toMatchObject({ ok: false, retryable: true });
    expectNoSecrets(r);
  });
});

describe('sendAlert: generic webhook', () => {
  it('posts events, title and markdown, signed; the server verifies the signature', async () => {
    const now = Date.UTC(2026, 10, 23, 2, 3, 0);
    const r = await sendAlert(webhook(), [event(), event({ kind: 'sla_breached' })], { now: () => now });
    expect(r).toEqual({ ok: true });
    const got = received[0] as Received;
    expect(got.signatureOk).toBe(true);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-yunying-timestamp']).toBe(String(now / 1000));
    expect(got.json.title).toBe('近 3 分钟内 2 条提醒');
    expect(got.json.markdown).toContain('### 近 3 分钟内 2 条提醒');
    expect(got.json.events).toHaveLength(2);
    expect(got.json.events[0]).toEqual({
      kind: 'publish_failed',
      organisationName: '市体育彩票管理中心',
      title: '国庆假期开奖安排',
      detail: '微信返回：素材已被删除（errcode 40007）',
      link: 'https://yunying.example.cn/contents/123',
      occurredAt: '2026-11-23T02:00:00.000Z',
      accountName: '体彩公众号',
    });
  });

  it('sends no signature header without a secret', async () => {
    expect(await sendAlert(webhook(null), [event()])).toEqual({ ok: true });
    const got = received[0] as Received;
    expect(got.headers['x-yunying-signature']).toBeUndefined();
    expect(got.headers['x-yunying-timestamp']).toMatch(/^\d+$/);
  });

  it('429 is retryable with Retry-After (seconds or date)', async () => {
    mode = { kind: 'status', status: 429, headers: { 'retry-after': '120' } };
    expect(await sendAlert(webhook(), [event()])).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 120_000,
    });
    const now = Date.UTC(2026, 10, 23, 2, 0, 0);
    mode = { kind: 'status', status: 429, headers: { 'retry-after': new Date(now + 30_000).toUTCString() } };
    expect(await sendAlert(webhook(), [event()], { now: () => now })).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 30_000,
    });
  });

  it('5xx, timeouts are retryable; other 4xx are not', async () => {
    mode = { kind: 'status', status: 503 };
    expect(await sendAlert(webhook(), [event()])).toMatchObject({ ok: false, retryable: true });
    mode = { kind: 'status', status: 404, body: `no such hook ${HOOK_TOKEN}` };
    const notFound = await sendAlert(webhook(), [event()]);
    expect(notFound).toMatchObject({ ok: false, retryable: false });
    expectNoSecrets(notFound);
    mode = { kind: 'hang' };
    const hung = await sendAlert(webhook(), [event()], { timeoutMs: 200 });
    expect(hung).toMatchObject({ ok: false, retryable: true });
    expectNoSecrets(hung);
  });

  it('a receiver that rejects a bad signature (401) is not retried', async () => {
    const r = await sendAlert(webhook('another-secret-entirely'), [event()]);
    expect((received[0] as Received).signatureOk).toBe(false);
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(!r.ok && r.reason).not.toContain('another-secret-entirely');
  });

  it('a redirect is not followed', async () => {
    mode = { kind: 'status', status: 302, headers: { location: `${base}/elsewhere` } };
    expect(await sendAlert(webhook(), [event()])).toMatchObject({ ok: false, retryable: false });
    expect(received).toHaveLength(1);
  });
});

describe('validateChannel', () => {
  it('accepts real-looking channels and local http for tests', () => {
    expect(
      validateChannel({
        type: 'wecom',
        webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc',
      }),
    ).toBe(null);
    expect(
      validateChannel({
        type: 'dingtalk',
        webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
        secret: 'SEC123',
      }),
    ).toBe(null);
    expect(validateChannel({ type: 'webhook', url: 'https://hooks.example.cn/yunying', secret: null })).toBe(
      null,
    );
    expect(validateChannel({ type: 'webhook', url: 'http://localhost:8080/x', secret: 's' })).toBe(null);
    expect(validateChannel(wecom())).toBe(null);
  });

  it.each<[string, ChannelConfig]>([
    ['plain http', { type: 'wecom', webhookUrl: 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc' }],
    ['no key', { type: 'wecom', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }],
    ['empty key', { type: 'wecom', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=' }],
    ['not a URL', { type: 'wecom', webhookUrl: 'qyapi.weixin.qq.com/send?key=abc' }],
    [
      'no access_token',
      { type: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/send', secret: 'SEC1' },
    ],
    [
      'secret without SEC',
      { type: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=a', secret: 'abc' },
    ],
    ['webhook over http', { type: 'webhook', url: 'http://hooks.example.cn/x', secret: null }],
    ['blank secret', { type: 'webhook', url: 'https://hooks.example.cn/x', secret: '  ' }],
    ['ftp', { type: 'webhook', url: 'ftp://hooks.example.cn/x', secret: null }],
  ])('rejects %s with a Chinese problem', (_name, channel) => {
    const problem = validateChannel(channel);
    expect(problem).toMatch(/[\u4e00-\u9fff]/);
  });

  it('sendAlert refuses an invalid channel without a request, and without the secret', async () => {
    const r = await sendAlert(
      {
        type: 'dingtalk',
        webhookUrl: `${base}/robot/send?access_token=${DING_TOKEN}`,
        secret: 'nope-secret',
      },
      [event()],
    );
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(received).toHaveLength(0);
    expect(!r.ok && r.reason).not.toContain('nope-secret');
    expectNoSecrets(r);
  });
});

describe('planDeliveries', () => {
  const now = 1_800_000_000_000;
  const pending = (n: number, kind: AlertEventKind = 'publish_failed') =>
    Array.from({ length: n }, (_, i) => ({
      id: `a${i}`,
      event: event({ kind, title: `t${i}`, occurredAt: new Date(now - 60_000 + i) }),
    }));

  it('a quiet channel sends each alert on its own', () => {
    const plan = planDeliveries(pending(3), [], now);
    expect(plan.waitMs).toBe(0);
    expect(plan.send.map((m) => m.ids)).toEqual([['a0'], ['a1'], ['a2']]);
  });

  it('nothing pending: nothing to do', () => {
    expect(planDeliveries([], [now - 1000], now)).toEqual({ send: [], waitMs: 0 });
  });

  it('a burst of 50 on a quiet channel: 19 singles and one digest of 31', () => {
    const plan = planDeliveries(pending(50), [], now);
    expect(plan.send).toHaveLength(20);
    expect(plan.send.slice(0, 19).every((m) => m.ids.length === 1)).toBe(true);
    const digest = plan.send[19] as { ids: string[]; events: AlertEvent[] };
    expect(digest.ids).toHaveLength(31);
    expect(digest.events).toHaveLength(31);
    expect(new Set(plan.send.flatMap((m) => m.ids)).size).toBe(50);
  });

  it('keeps a spare slot: exactly the budget means singles plus a digest in the last slot', () => {
    const plan = planDeliveries(pending(20), [], now);
    expect(plan.send).toHaveLength(20);
    const sent15 = Array.from({ length: 15 }, (_, i) => now - 50_000 + i);
    const tight = planDeliveries(pending(6), sent15, now);
    expect(tight.send.map((m) => m.ids.length)).toEqual([1, 1, 1, 1, 2]);
    expect(planDeliveries(pending(4), sent15, now).send.map((m) => m.ids.length)).toEqual([1, 1, 1, 1]);
  });

  it('the most urgent alerts go as singles, the rest into the digest', () => {
    const mixed = [
      ...pending(3, 'sla_at_risk').map((p) => ({ ...p, id: `risk${p.id}` })),
      ...pending(2, 'publish_failed').map((p) => ({ ...p, id: `fail${p.id}` })),
    ];
    const plan = planDeliveries(
      mixed,
      Array.from({ length: 17 }, (_, i) => now - 1000 - i),
      now,
    );
    expect(plan.send.map((m) => m.ids)).toEqual([['faila0'], ['faila1'], ['riska0', 'riska1', 'riska2']]);
  });

  it('budget exhausted: nothing now, wait until the oldest send leaves the window', () => {
    const sent = Array.from({ length: 20 }, (_, i) => now - 45_000 + i * 1000); // oldest 45 s ago
    expect(planDeliveries(pending(5), sent, now)).toEqual({ send: [], waitMs: 15_000 });
    // Timestamps older than a minute do not count.
    const withOld = [now - 61_000, now - 60_000, ...sent.slice(1)];
    expect(planDeliveries(pending(1), withOld, now).send).toHaveLength(1);
    // Over the limit (recorded by another worker): wait for enough to leave.
    const over = Array.from({ length: 22 }, (_, i) => now - 50_000 + i * 1000);
    expect(planDeliveries(pending(1), over, now).waitMs).toBe(12_000);
  });

  it('one slot left: everything in one message', () => {
    const sent = Array.from({ length: 19 }, (_, i) => now - 10_000 - i);
    const plan = planDeliveries(pending(7), sent, now);
    expect(plan.send).toHaveLength(1);
    expect(plan.send[0]?.ids).toHaveLength(7);
  });

  it('rejects a nonsensical limit', () => {
    expect(() => planDeliveries(pending(1), [], now, 0)).toThrow(RangeError);
  });
});

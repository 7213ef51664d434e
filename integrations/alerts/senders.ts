import { createHmac } from 'node:crypto';
import { networkErrorCode } from '../platform.js';
import type { AlertEvent, ChannelConfig, DeliveryResult } from './alerts.types.js';
import { DINGTALK_RENDER_BYTES, renderMarkdown, WECOM_RENDER_BYTES } from './messages.js';

/*
 * What the robot formats rest on (third-party copies of the vendors' pages; the vendors' own pages were
 * not in the searchable corpus, so codes marked "unverified" below rely on the brief):
 *
 * WeCom group robot (群机器人配置说明, developer.work.weixin.qq.com/document/path/91770):
 *  - POST JSON to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY,
 *    `{ "msgtype": "markdown", "markdown": { "content": "…" } }`, content at most 4096 bytes UTF-8
 *    (cnblogs.com/tiandi/p/17768525.html, blog.csdn.net/xiaozukun/article/details/135717656);
 *  - at most 20 messages a minute per robot (skills.sh/ajaxhe/wecom-bot-skill, citing document/path/99398);
 *  - answers `{ errcode, errmsg }`; 93000 "invalid webhook url" (github.com/wes-lin/Cloud189Checkin/issues/175),
 *    40058 content too long (github.com/RayWangQvQ/BiliBiliToolPro/issues/702). 45009 "api freq out of
 *    limit" is WeChat's documented frequency code (cnblogs.com/mjbenkyo/p/12146972.html); that the robot
 *    uses it for its 20/min limit is unverified (from the brief).
 *
 * DingTalk custom robot (自定义机器人接入, open.dingtalk.com/document/robots/custom-robot-access):
 *  - POST JSON to https://oapi.dingtalk.com/robot/send?access_token=TOKEN&timestamp=MS&sign=SIGN,
 *    `{ "msgtype": "markdown", "markdown": { "title", "text" } }` (developer.aliyun.com/ask/594427);
 *  - 加签: sign = urlEncode(base64(HmacSHA256(key = secret, data = `${timestamp}\n${secret}`))), timestamp in
 *    ms, within an hour of DingTalk's clock (official Python sample quoted on
 *    blog.csdn.net/weixin_31560545/article/details/116255918; Node versions in
 *    gist.github.com/zhengkai/2d58268f711ff4cecffa021b263ea6b7 and dingtalk-robot-sender lib/sign.js);
 *  - "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟" (blog.csdn.net/lxw1844912514/article/details/125780346);
 *    over it: errcode 130101 "send too fast, exceed 20 times per minute"
 *    (blog.csdn.net/jialiuyang/article/details/118615052);
 *  - 310000 covers a wrong signature ("sign not match"), a missing keyword ("keywords not in content") and
 *    an IP outside the whitelist (github.com/x-cold/dingtalk-robot/issues/7,
 *    github.com/timonwong/prometheus-webhook-dingtalk/issues/197). 300001 (token does not exist) and -1
 *    (system busy) are unverified.
 */

/** WeCom 45009 / DingTalk 130101: wait a minute. DingTalk says it throttles for 10 minutes after a burst,
 * so a retry a minute later may meet 130101 again; the throttle planner exists so that it never comes to it. */
export const ROBOT_THROTTLE_RETRY_MS = 60_000;
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface SendOptions {
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** The clock for signatures (ms); default `Date.now`. */
  now?: () => number;
}

const isLocal = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

function urlProblem(raw: string, label: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return `${label}不是有效的网址。`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLocal(url.hostname)) return null;
  return `${label}必须以 https:// 开头。`;
}

/**
 * The problem with a channel's settings, in Chinese for the settings page, or null when it looks usable.
 * The host is not pinned to qyapi.weixin.qq.com / oapi.dingtalk.com: private deployments (政务微信,
 * 专有钉钉) have their own. Plain http is accepted only for 127.0.0.1 / localhost (tests).
 */
export function validateChannel(channel: ChannelConfig): string | null {
  switch (channel.type) {
    case 'wecom': {
      const problem = urlProblem(channel.webhookUrl, '企业微信机器人 Webhook 地址');
      if (problem) return problem;
      if (!new URL(channel.webhookUrl.trim()).searchParams.get('key'))
        return '企业微信机器人 Webhook 地址缺少 key=…：请在群机器人详情页复制完整地址。';
      return null;
    }
    case 'dingtalk': {
      const problem = urlProblem(channel.webhookUrl, '钉钉机器人 Webhook 地址');
      if (problem) return problem;
      if (!new URL(channel.webhookUrl.trim()).searchParams.get('access_token'))
        return '钉钉机器人 Webhook 地址缺少 access_token=…：请在机器人设置页复制完整地址。';
      if (!channel.secret?.trim().startsWith('SEC'))
        return '钉钉机器人的加签密钥应以 SEC 开头：请在机器人安全设置中选择“加签”并复制密钥。';
      return null;
    }
    case 'webhook': {
      const problem = urlProblem(channel.url, 'Webhook 地址');
      if (problem) return problem;
      if (channel.secret !== null && channel.secret.trim() === '')
        return '签名密钥不能为空白：不需要签名时请留空。';
      return null;
    }
  }
}

/** Origin and path only: the WeCom key and the DingTalk token live in the query string. */
export function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '（无效地址）';
  }
}

/** Every credential a channel holds, for scrubbing them out of any text we hand back. */
function credentials(channel: ChannelConfig): string[] {
  const found: string[] = [];
  const fromUrl = (raw: string) => {
    try {
      for (const [, v] of new URL(raw).searchParams) if (v) found.push(v);
    } catch {
      // an invalid URL never reaches the network
    }
  };
  if (channel.type === 'webhook') {
    fromUrl(channel.url);
    if (channel.secret) found.push(channel.secret);
  } else {
    fromUrl(channel.webhookUrl);
    if (channel.type === 'dingtalk' && channel.secret) found.push(channel.secret);
  }
  return found.filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
}

/** Query strings off any URL in the text, then any credential left, and a sane length. */
function scrub(text: string, secrets: string[]): string {
  let out = text.replace(/(https?:\/\/[^\s?#"'<>]+)[?#][^\s"'<>]*/g, '$1');
  for (const s of secrets) out = out.split(s).join('***');
  return out.length > 300 ? `${out.slice(0, 299)}…` : out;
}

type Exchange =
  | { kind: 'response'; status: number; text: string; headers: Headers }
  | { kind: 'failed'; reason: string };

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: SendOptions,
): Promise<Exchange> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = opts.fetchImpl ?? fetch;
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      // A redirect would re-send the alert somewhere the administrator did not configure.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The body is read under the same deadline: a server that sends headers and then stalls times out too.
    const text = await res.text();
    return { kind: 'response', status: res.status, text, headers: res.headers };
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return {
        kind: 'failed',
        reason: `${safeUrl(url)} 在 ${Math.round(timeoutMs / 100) / 10} 秒内没有应答`,
      };
    // Only the error code, never the message: some errors quote the full URL.
    const code = networkErrorCode(err) ?? name ?? 'Error';
    return { kind: 'failed', reason: `无法连接 ${safeUrl(url)}（${code}）` };
  }
}

/** `Retry-After` as ms: either delay-seconds or an HTTP date. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function httpFailure(status: number, headers: Headers, who: string, now: number): DeliveryResult {
  if (status === 429) {
    const after = retryAfterMs(headers.get('retry-after'), now);
    return {
      ok: false,
      retryable: true,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
      reason: `${who}要求放慢发送（HTTP 429）`,
    };
  }
  if (status >= 500 || status === 408)
    return { ok: false, retryable: true, reason: `${who}暂时出错（HTTP ${status}）` };
  if (status >= 300 && status < 400)
    return { ok: false, retryable: false, reason: `${who}返回重定向（HTTP ${status}），请检查地址` };
  return { ok: false, retryable: false, reason: `${who}拒绝了消息（HTTP ${status}）` };
}

/** `{ errcode, errmsg }` from a robot, or null when the answer is not that. */
function robotAnswer(text: string): { errcode: number; errmsg: string } | null {
  try {
    const json = JSON.parse(text) as { errcode?: unknown; errmsg?: unknown };
    if (json && typeof json === 'object' && typeof json.errcode === 'number')
      return { errcode: json.errcode, errmsg: String(json.errmsg ?? '') };
  } catch {
    // not JSON
  }
  return null;
}

/** errmsg up to its first hint/link ("…, hint: [...], from ip: …, more info at …"). */
const shortErrmsg = (m: string) => m.split(/,\s*(hint|from ip|more info)/)[0]?.trim() ?? '';

const WECOM_CODES: Record<number, string> = {
  93000: 'Webhook 地址无效，机器人可能已被移出群聊：请重新复制机器人地址',
  40058: '消息内容超出长度限制',
  40008: '消息类型无效',
};

async function sendWecom(
  channel: Extract<ChannelConfig, { type: 'wecom' }>,
  events: AlertEvent[],
  opts: SendOptions,
  now: number,
): Promise<DeliveryResult> {
  const { markdown } = renderMarkdown(events, { maxBytes: WECOM_RENDER_BYTES, now: new Date(now) });
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { content: markdown } });
  const ex = await post(channel.webhookUrl.trim(), body, {}, opts);
  if (ex.kind === 'failed') return { ok: false, retryable: true, reason: `企业微信机器人：${ex.reason}` };
  const answer = robotAnswer(ex.text);
  if (!answer) {
    if (ex.status < 200 || ex.status >= 300) return httpFailure(ex.status, ex.headers, '企业微信机器人', now);
    return { ok: false, retryable: true, reason: `企业微信机器人的应答无法识别（HTTP ${ex.status}）` };
  }
  const { errcode, errmsg } = answer;
  if (errcode === 0) return { ok: true };
  const said = `errcode ${errcode}：${shortErrmsg(errmsg)}`;
  if (errcode === 45009)
    return {
      ok: false,
      retryable: true,
      retryAfterMs: ROBOT_THROTTLE_RETRY_MS,
      reason: `企业微信机器人发送过于频繁（每分钟最多 20 条），稍后重试（${said}）`,
    };
  if (errcode === -1) return { ok: false, retryable: true, reason: `企业微信系统繁忙（${said}）` };
  const hint = WECOM_CODES[errcode];
  return {
    ok: false,
    retryable: false,
    reason: `企业微信机器人拒绝了消息${hint ? `：${hint}` : ''}（${said}）`,
  };
}

/** DingTalk's 加签: base64(HmacSHA256(secret, `${timestamp}\n${secret}`)), before URL encoding. */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

async function sendDingtalk(
  channel: Extract<ChannelConfig, { type: 'dingtalk' }>,
  events: AlertEvent[],
  opts: SendOptions,
  now: number,
): Promise<DeliveryResult> {
  const secret = channel.secret.trim();
  const rendered = renderMarkdown(events, { maxBytes: DINGTALK_RENDER_BYTES, now: new Date(now) });
  // DingTalk's markdown needs a hard break ("  \n") for a single newline to show as one.
  const text = rendered.markdown.replace(/\n/g, '  \n');
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: rendered.title, text } });
  const url = new URL(channel.webhookUrl.trim());
  url.searchParams.set('timestamp', String(now));
  url.searchParams.set('sign', dingtalkSign(secret, now)); // URLSearchParams does the URL encoding
  const ex = await post(url.href, body, {}, opts);
  if (ex.kind === 'failed') return { ok: false, retryable: true, reason: `钉钉机器人：${ex.reason}` };
  const answer = robotAnswer(ex.text);
  if (!answer) {
    if (ex.status < 200 || ex.status >= 300) return httpFailure(ex.status, ex.headers, '钉钉机器人', now);
    return { ok: false, retryable: true, reason: `钉钉机器人的应答无法识别（HTTP ${ex.status}）` };
  }
  const { errcode, errmsg } = answer;
  if (errcode === 0) return { ok: true };
  const said = `errcode ${errcode}：${shortErrmsg(errmsg)}`;
  if (errcode === 130101)
    return {
      ok: false,
      retryable: true,
      retryAfterMs: ROBOT_THROTTLE_RETRY_MS,
      reason: `钉钉机器人发送过于频繁（每分钟最多 20 条），稍后重试（${said}）`,
    };
  if (errcode === -1) return { ok: false, retryable: true, reason: `钉钉系统繁忙（${said}）` };
  if (errcode === 310000)
    return {
      ok: false,
      retryable: false,
      reason: `钉钉机器人安全校验未通过：请确认安全设置选择了“加签”且密钥正确，并且没有启用关键词或 IP 白名单（${said}）`,
    };
  if (errcode === 300001)
    return {
      ok: false,
      retryable: false,
      reason: `钉钉机器人不存在或已被移除：请重新复制机器人地址（${said}）`,
    };
  return { ok: false, retryable: false, reason: `钉钉机器人拒绝了消息（${said}）` };
}

/** The generic webhook's signature: `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/**
 * Generic webhook: POST `{ events, title, markdown }` (events with ISO times). Headers:
 * `x-yunying-timestamp` (Unix seconds) and, with a secret, `x-yunying-signature` as above, so a receiver
 * can check both origin and freshness.
 */
async function sendWebhook(
  channel: Extract<ChannelConfig, { type: 'webhook' }>,
  events: AlertEvent[],
  opts: SendOptions,
  now: number,
): Promise<DeliveryResult> {
  const { title, markdown } = renderMarkdown(events, { maxBytes: DINGTALK_RENDER_BYTES, now: new Date(now) });
  const body = JSON.stringify({
    events: events.map((e) => ({
      kind: e.kind,
      organisationName: e.organisationName,
      title: e.title,
      detail: e.detail,
      link: e.link,
      occurredAt: e.occurredAt.toISOString(),
      ...(e.accountName !== undefined ? { accountName: e.accountName } : {}),
    })),
    title,
    markdown,
  });
  const timestamp = String(Math.floor(now / 1000));
  const headers: Record<string, string> = { 'x-yunying-timestamp': timestamp };
  if (channel.secret) headers['x-yunying-signature'] = webhookSignature(channel.secret, timestamp, body);
  const ex = await post(channel.url.trim(), body, headers, opts);
  if (ex.kind === 'failed') return { ok: false, retryable: true, reason: `Webhook：${ex.reason}` };
  if (ex.status >= 200 && ex.status < 300) return { ok: true };
  return httpFailure(ex.status, ex.headers, `Webhook ${safeUrl(channel.url.trim())} `, now);
}

/**
 * Sends one message (one event, or a digest of several) to a channel. Never throws for delivery
 * problems: network errors and timeouts (default 10 s) are `retryable`, as are rate limits and 5xx.
 * A timeout after the request went out may mean the robot did post it: a retry can then show the
 * alert twice, which we prefer to losing it. `reason` never contains the channel's key, token or secret.
 */
export async function sendAlert(
  channel: ChannelConfig,
  events: AlertEvent[],
  opts: SendOptions = {},
): Promise<DeliveryResult> {
  const secrets = credentials(channel);
  const problem = validateChannel(channel);
  if (problem) return { ok: false, retryable: false, reason: scrub(problem, secrets) };
  if (events.length === 0) return { ok: false, retryable: false, reason: '没有要发送的提醒' };
  const now = (opts.now ?? Date.now)();
  let result: DeliveryResult;
  switch (channel.type) {
    case 'wecom':
      result = await sendWecom(channel, events, opts, now);
      break;
    case 'dingtalk':
      result = await sendDingtalk(channel, events, opts, now);
      break;
    case 'webhook':
      result = await sendWebhook(channel, events, opts, now);
      break;
  }
  return result.ok ? result : { ...result, reason: scrub(result.reason, secrets) };
}

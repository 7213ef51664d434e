import type { AlertEvent, AlertEventKind } from './alerts.types.js';

/** The Chinese title of each kind, shown as 【…】 in a single message and as the group heading in a digest. */
export const KIND_TITLES: Record<AlertEventKind, string> = {
  publish_failed: '发布失败',
  publish_unconfirmed: '发布结果待确认',
  sla_at_risk: '发布时限将到',
  sla_breached: '发布超时',
  credentials_attention: '账号授权需处理',
  metrics_gap: '数据缺失',
  report_ready: '月报已生成',
  test: '测试消息',
};

/** Most urgent first: the order of the groups in a digest (and of singles in `planDeliveries`). */
export const KIND_ORDER: readonly AlertEventKind[] = [
  'publish_failed',
  'sla_breached',
  'credentials_attention',
  'publish_unconfirmed',
  'metrics_gap',
  'sla_at_risk',
  'report_ready',
  'test',
];

/**
 * WeCom group robot: "markdown内容，最长不超过4096个字节，必须是utf8编码" (群机器人配置说明,
 * developer.work.weixin.qq.com/document/path/91770, as quoted on cnblogs.com/tiandi/p/17768525.html and
 * blog.csdn.net/xiaozukun/article/details/135717656); over the limit WeCom answers errcode 40058
 * "markdown.content exceed max length 4096" (github.com/RayWangQvQ/BiliBiliToolPro/issues/702).
 * We render to 4000 to keep a margin.
 */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
export const WECOM_RENDER_BYTES = 4000;
/**
 * DingTalk custom robot: no published limit for `markdown.text` was found (unverified); 20,000 bytes is
 * the working ceiling we were given. We render to 18,000 so the sender can turn every line break into a
 * markdown hard break ("  \n", 2 more bytes a line) and still stay under it.
 */
export const DINGTALK_MARKDOWN_MAX_BYTES = 20_000;
export const DINGTALK_RENDER_BYTES = 18_000;

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Beijing time as `YYYY-MM-DD HH:mm`. China has had no daylight saving time since 1991: UTC+8 always. */
export function formatShanghai(date: Date): string {
  return new Date(date.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** At most `max` characters (code points), the last replaced by "…" when cut. */
function clip(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** The longest prefix (whole code points) of `s` of at most `maxBytes` UTF-8 bytes. */
export function fitBytes(s: string, maxBytes: number): string {
  if (utf8(s) <= maxBytes) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = utf8(ch);
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/**
 * Text from content and accounts, made safe to put inside one markdown line: no line breaks (a title
 * cannot start a heading or a quote), and no `[ ] < >` so it cannot forge a link or a `<font>`/`<@user>`
 * tag in a government client's group chat. The full-width look-alikes keep it readable.
 */
function plain(s: string, max: number): string {
  const cleaned = s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\[/g, '［')
    .replace(/\]/g, '］')
    .replace(/</g, '＜')
    .replace(/>/g, '＞');
  return clip(cleaned, max);
}

/** An http(s) URL fit for `[text](url)`, or null. Parentheses and spaces would end the link early. */
function markdownUrl(link: string | null, maxBytes = 1000): string | null {
  if (!link) return null;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const href = url.href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
  return utf8(href) <= maxBytes ? href : null;
}

function who(e: AlertEvent): string {
  const name = e.accountName?.trim() || e.organisationName;
  const subject = plain(e.title, 60);
  const account = plain(name, 30);
  return subject === account || subject === '' ? account : `${account}：${subject}`;
}

function renderSingle(e: AlertEvent): { title: string; markdown: string } {
  const kind = KIND_TITLES[e.kind];
  const lines = [`【${kind}】${who(e)}`];
  if (e.detail.trim()) lines.push(`原因：${plain(e.detail, 500)}`);
  lines.push(`时间：${formatShanghai(e.occurredAt)}（北京时间）`);
  const url = markdownUrl(e.link);
  if (url) lines.push(`[查看详情](${url})`);
  return { title: clip(`【${kind}】${plain(e.accountName || e.title, 40)}`, 64), markdown: lines.join('\n') };
}

export interface RenderOptions {
  /** The UTF-8 size the markdown must not exceed; default 4000 (WeCom's 4096 with a margin). */
  maxBytes?: number;
  /** "Now" for the digest heading's "近 N 分钟"; default the current time. */
  now?: Date;
}

/**
 * The Chinese message for one event, or a digest for several:
 *
 * - one event: `【发布失败】体彩公众号：标题` / `原因：…` / `时间：2026-11-23 10:00（北京时间）` / `[查看详情](link)`;
 * - several: a heading `近 N 分钟内 M 条提醒`, a line of counts per kind, then the events grouped by kind
 *   (most urgent first), one line each. Lines that would pass `maxBytes` are left out and replaced by
 *   `另有 K 条，请登录后台查看`; the counts line still covers every event.
 *
 * Lines are separated by a single `\n` (WeCom renders that as a line break; the DingTalk sender turns
 * each into a markdown hard break).
 */
export function renderMarkdown(
  events: AlertEvent[],
  opts: RenderOptions = {},
): { title: string; markdown: string } {
  const maxBytes = opts.maxBytes ?? WECOM_RENDER_BYTES;
  const [first] = events;
  if (!first) throw new RangeError('renderMarkdown needs at least one event');
  if (events.length === 1) {
    const single = renderSingle(first);
    return { title: single.title, markdown: fitBytes(single.markdown, maxBytes) };
  }

  const now = (opts.now ?? new Date()).getTime();
  const oldest = Math.min(...events.map((e) => e.occurredAt.getTime()));
  const minutes = Math.max(1, Math.ceil((now - oldest) / 60_000));
  const title = `近 ${minutes} 分钟内 ${events.length} 条提醒`;

  const groups = KIND_ORDER.map((kind) => ({
    kind,
    events: events
      .filter((e) => e.kind === kind)
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime()),
  })).filter((g) => g.events.length > 0);

  // Times as HH:mm when every event is on the same Beijing day, else MM-DD HH:mm.
  const days = new Set(events.map((e) => formatShanghai(e.occurredAt).slice(0, 10)));
  const time = (d: Date) => formatShanghai(d).slice(days.size === 1 ? 11 : 5);

  const head = [`### ${title}`, groups.map((g) => `${KIND_TITLES[g.kind]} ${g.events.length} 条`).join('｜')];
  const body: Array<{ line: string; isEvent: boolean }> = [];
  for (const g of groups) {
    body.push({ line: `**${KIND_TITLES[g.kind]}**`, isEvent: false });
    for (const e of g.events) {
      const reason = e.detail.trim() ? `（${plain(e.detail, 40)}）` : '';
      const url = markdownUrl(e.link, 300);
      body.push({
        line: `- ${time(e.occurredAt)} ${who(e)}${reason}${url ? ` [详情](${url})` : ''}`,
        isEvent: true,
      });
    }
  }

  const footer = (k: number) => `另有 ${k} 条，请登录后台查看`;
  // Room kept for the footer: its longest form (K can be at most every event).
  const reserve = 1 + utf8(footer(events.length));
  const out = [...head];
  let used = utf8(head.join('\n'));
  let shown = 0;
  for (let i = 0; i < body.length; i++) {
    const item = body[i] as { line: string; isEvent: boolean };
    const isLast = i === body.length - 1;
    const cost = 1 + utf8(item.line);
    if (used + cost + (isLast ? 0 : reserve) > maxBytes) break;
    out.push(item.line);
    used += cost;
    if (item.isEvent) shown++;
  }
  // No group heading without at least one of its events under it.
  while (out.length > head.length && !(out[out.length - 1] as string).startsWith('- ')) out.pop();
  if (shown < events.length) out.push(footer(events.length - shown));
  return { title, markdown: fitBytes(out.join('\n'), maxBytes) };
}

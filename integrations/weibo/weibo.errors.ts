import { PlatformError, type PlatformErrorKind } from '../platform.js';

/** Weibo error_codes (reference §4.5) → kind and the editor's message. */
const CODES: Readonly<
  Record<string, { kind: PlatformErrorKind; editorMessage: string; retryAfterMs?: number }>
> = {
  '10001': { kind: 'transient', editorMessage: '微博系统错误，稍后将自动重试。' },
  '10002': { kind: 'transient', editorMessage: '微博服务暂不可用，稍后将自动重试。' },
  '10014': { kind: 'not_permitted', editorMessage: '微博应用没有此接口权限：请在微博开放平台申请。' },
  '10022': {
    kind: 'rate_limited',
    editorMessage: '本服务器调用微博接口过于频繁，稍后将自动重试。',
    retryAfterMs: 3_600_000,
  },
  '10023': {
    kind: 'rate_limited',
    editorMessage: '该账号调用微博接口过于频繁，稍后将自动重试。',
    retryAfterMs: 3_600_000,
  },
  '10024': {
    kind: 'rate_limited',
    editorMessage: '该账号发微博过于频繁（每小时上限），稍后将自动重试。',
    retryAfterMs: 3_600_000,
  },
  '20016': {
    kind: 'rate_limited',
    editorMessage: '发微博太多，微博要求休息一会儿，稍后将自动重试。',
    retryAfterMs: 3_600_000,
  },
  '10017': {
    kind: 'invalid_content',
    editorMessage: '微博内容不符合要求：须包含本单位安全域名下的链接，且不能含 #话题#。',
  },
  '20005': { kind: 'invalid_content', editorMessage: '微博配图须为 JPG、GIF 或 PNG。' },
  '20006': { kind: 'invalid_content', editorMessage: '微博配图须小于 5MB，请压缩后重试。' },
  '20008': { kind: 'invalid_content', editorMessage: '微博内容为空。' },
  '20012': { kind: 'invalid_content', editorMessage: '微博正文超过 140 字，请删减。' },
  '20017': { kind: 'invalid_content', editorMessage: '刚刚已发过相似内容：请确认是否已发布，或修改后再发。' },
  '20019': { kind: 'invalid_content', editorMessage: '相同内容已发布过：请确认是否已发布，勿重复发送。' },
  '20111': { kind: 'invalid_content', editorMessage: '不能发布相同的微博：请确认是否已发布。' },
  '21301': { kind: 'reauth', editorMessage: '微博授权失效：请在“账号管理”中重新授权微博账号。' },
  '21315': { kind: 'reauth', editorMessage: '微博授权已过期：请在“账号管理”中重新授权微博账号。' },
  '21327': { kind: 'reauth', editorMessage: '微博授权已过期：请在“账号管理”中重新授权微博账号。' },
  '21332': { kind: 'reauth', editorMessage: '微博授权无效：请在“账号管理”中重新授权微博账号。' },
  '21501': { kind: 'reauth', editorMessage: '微博授权无效：请在“账号管理”中重新授权微博账号。' },
};

export function weiboError(code: string, message: string, endpoint: string): PlatformError {
  const known = CODES[code];
  return new PlatformError(known?.kind ?? 'transient', 'weibo', `Weibo ${endpoint}: ${code} ${message}`, {
    code,
    endpoint,
    editorMessage: known?.editorMessage ?? `微博返回错误 ${code}：${message}`,
    ...(known?.retryAfterMs ? { retryAfterMs: known.retryAfterMs } : {}),
  });
}

/**
 * How Weibo counts a post's length for its 140-character limit (reference §4.1 gives the limit in
 * 汉字): a CJK or other non-ASCII character counts 1, an ASCII character half, and every URL a fixed
 * 10 (Weibo replaces links with t.cn short links). The URL weight is the commonly reported value, not
 * in the reference.
 */
export const WEIBO_MAX_LENGTH = 140;
const URL_WEIGHT = 10;
export const URL_PATTERN = /https?:\/\/[^\s\u3000-\u303f\uff00-\uffef<>"']+/gi;

export function weiboLength(text: string): number {
  const urls = text.match(URL_PATTERN) ?? [];
  const rest = text.replace(URL_PATTERN, '');
  let half = 0;
  for (const ch of rest) half += ch.charCodeAt(0) < 128 ? 1 : 2;
  return Math.ceil(half / 2) + urls.length * URL_WEIGHT;
}

/** The links of a post whose host is one of the app's safe domains (or a subdomain of one). */
export function safeDomainLinks(text: string, safeDomains: readonly string[]): string[] {
  return (text.match(URL_PATTERN) ?? []).filter((u) => {
    try {
      const host = new URL(u).hostname.toLowerCase();
      return safeDomains.some((d) => host === d || host.endsWith(`.${d}`));
    } catch {
      return false;
    }
  });
}

export const TOPIC_PATTERN = /#[^#\s]+#/;

/** The first rule of Weibo's a post breaks (checked before sending), or null. */
export function weiboPostProblem(
  text: string,
  safeDomains: readonly string[],
): { message: string; editorMessage: string } | null {
  if (text.trim() === '') return { message: 'empty post', editorMessage: '微博内容为空。' };
  const length = weiboLength(text);
  if (length > WEIBO_MAX_LENGTH)
    return {
      message: `post is ${length} long`,
      editorMessage: `微博正文按微博计数为 ${length} 字，超过 ${WEIBO_MAX_LENGTH} 字上限，请删减。`,
    };
  if (TOPIC_PATTERN.test(text))
    return {
      message: 'post contains a #topic#',
      editorMessage: '通过接口发布的微博不能包含 #话题词#，请删除话题标记。',
    };
  if (safeDomainLinks(text, safeDomains).length === 0)
    return {
      message: 'no safe-domain link',
      editorMessage: `微博正文须包含至少一个本单位安全域名下的链接（${safeDomains.join('、') || '尚未配置 WEIBO_SAFE_DOMAINS'}）。`,
    };
  return null;
}

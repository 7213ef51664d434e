/**
 * Texts of the API's error codes in Chinese (default) and English. A code's meaning never changes;
 * its texts may be improved.
 */
export type Lang = 'zh-CN' | 'en';

export const ERROR_TEXTS: Readonly<Record<string, { 'zh-CN': string; en: string }>> = {
  VALIDATION_FAILED: { 'zh-CN': '请求参数不符合要求', en: 'The request is not valid' },
  INVALID_JSON: { 'zh-CN': '请求体不是有效的 JSON', en: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { 'zh-CN': '不支持的内容类型', en: 'Unsupported content type' },
  PAYLOAD_TOO_LARGE: { 'zh-CN': '请求体过大', en: 'The request body is too large' },
  BAD_REQUEST: { 'zh-CN': '请求无效', en: 'Bad request' },
  ROUTE_NOT_FOUND: { 'zh-CN': '请求的地址不存在', en: 'No such route' },
  METHOD_NOT_ALLOWED: { 'zh-CN': '不支持该请求方法', en: 'Method not allowed' },
  RATE_LIMITED: { 'zh-CN': '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  INTERNAL_ERROR: {
    'zh-CN': '服务器内部错误，请联系运维人员',
    en: 'Internal server error; please contact the operators',
  },
  SERVICE_UNAVAILABLE: { 'zh-CN': '服务暂不可用', en: 'Service unavailable' },
};

/** Picks zh-CN unless the Accept-Language header prefers English. */
export function pickLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'zh-CN';
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag, q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((x) => x.tag.startsWith('zh') || x.tag.startsWith('en'))
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.tag.startsWith('en') ? 'en' : 'zh-CN';
}

/** The text for a code in a language, or `fallback` when the code has no catalogue entry. */
export function errorText(code: string, lang: Lang, fallback: string): string {
  return ERROR_TEXTS[code]?.[lang] ?? fallback;
}

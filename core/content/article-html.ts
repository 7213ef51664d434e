/**
 * The article body (公众号图文 `content`) as Yunying stores and sends it: an allow-list of the markup
 * WeChat renders, with inline styles reduced to a safe set, and the text statistics the editor shows.
 */
import sanitizeHtml from 'sanitize-html';
import { LIMITS } from '../../integrations/wechat/wechat.publish.js';

/**
 * The `draft/add` article field limits, from /work/shared/reference/wechat-weibo-api.md §1.4
 * (official page https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html).
 * Re-used from `integrations/wechat/wechat.publish.ts` so there is one source of truth.
 *
 * - title "总长度不超过32个字", author "不超过16个字", digest "不超过128个字": inclusive maxima, in characters.
 * - content "必须少于2万字符，小于1M": exclusive upper bounds (the same page also says "大小不可超过2kb",
 *   which contradicts the rest and is ignored, as in the publisher).
 * - content_source_url "大小不可超过1 kb": inclusive maximum, in UTF-8 bytes.
 */
export interface ArticleLimits {
  /** Title: at most this many characters. */
  readonly titleChars: number;
  /** Author: at most this many characters. */
  readonly authorChars: number;
  /** Digest (摘要, single-article editions only): at most this many characters. */
  readonly digestChars: number;
  /** Content HTML: fewer than this many characters. */
  readonly contentChars: number;
  /** Content HTML: fewer than this many UTF-8 bytes. */
  readonly contentBytes: number;
  /** content_source_url (阅读原文): at most this many UTF-8 bytes. */
  readonly sourceUrlBytes: number;
}

export const ARTICLE_LIMITS: ArticleLimits = Object.freeze({
  titleChars: LIMITS.titleChars,
  authorChars: LIMITS.authorChars,
  digestChars: LIMITS.digestChars,
  contentChars: LIMITS.contentChars,
  contentBytes: LIMITS.contentBytes,
  sourceUrlBytes: LIMITS.sourceUrlBytes,
});

const ALLOWED_TAGS = [
  'p',
  'br',
  'span',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'sub',
  'sup',
  'blockquote',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'section',
  'figure',
  'figcaption',
  'img',
  'a',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'hr',
  'pre',
  'code',
];

/*
 * Style values are matched whole against a small grammar: numbers, lengths, hex colours, rgb()/hsl()
 * and bare keywords. There is no way to spell `url(`, `expression(`, `javascript:`, a quote, a
 * backslash (CSS escapes) or a comment in it, so those never reach the output.
 */
const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)`;
const LENGTH = `${NUM}(?:px|em|rem|pt|pc|ex|ch|vw|vh|vmin|vmax|cm|mm|in|%)?`;
const COLOR_FN = String.raw`(?:rgba?|hsla?)\([\d\s.,%/+-]*\)`;
const HEX = `#[0-9a-fA-F]{3,8}`;
const KEYWORD = '[a-zA-Z]+(?:-[a-zA-Z]+)*';
const whole = (re: string) => new RegExp(`^(?:${re})$`);
const list = (token: string, max: number) => whole(`${token}(?:\\s+${token}){0,${max - 1}}`);

const COLOR = [whole(`${HEX}|${COLOR_FN}|[a-zA-Z]+`)];
const ONE_LENGTH = [whole(`${LENGTH}|${KEYWORD}`)];
const BOX = [list(`(?:${LENGTH}|auto)`, 4)];
const BORDER = [list(`(?:${LENGTH}|${HEX}|${COLOR_FN}|${KEYWORD})`, 4)];

const BOX_SIDES = ['', '-top', '-right', '-bottom', '-left'];

const ALLOWED_STYLES: Record<string, RegExp[]> = {
  color: COLOR,
  'background-color': COLOR,
  'font-size': ONE_LENGTH,
  'font-weight': [/^(?:normal|bold|bolder|lighter|[1-9]00)$/],
  'font-style': [/^(?:normal|italic|oblique)$/],
  'text-align': [/^(?:left|right|center|justify|start|end)$/],
  'text-decoration': [list(`(?:${KEYWORD}|${HEX}|${COLOR_FN}|${LENGTH})`, 4)],
  'line-height': ONE_LENGTH,
  'letter-spacing': ONE_LENGTH,
  'text-indent': ONE_LENGTH,
  ...Object.fromEntries(BOX_SIDES.map((side) => [`margin${side}`, BOX])),
  ...Object.fromEntries(BOX_SIDES.map((side) => [`padding${side}`, BOX])),
  ...Object.fromEntries(BOX_SIDES.map((side) => [`border${side}`, BORDER])),
  'border-width': BOX,
  'border-style': [list(KEYWORD, 4)],
  'border-color': [list(`(?:${HEX}|${COLOR_FN}|[a-zA-Z]+)`, 4)],
  'border-radius': [whole(`${LENGTH}(?:\\s+${LENGTH}){0,3}(?:\\s*/\\s*${LENGTH}(?:\\s+${LENGTH}){0,3})?`)],
  'border-collapse': [/^(?:collapse|separate)$/],
};

const IMG_SIZE = [whole(`${LENGTH}|auto|none`)];

/**
 * Yunying's own media-library images (`mediaUrl()` in core/media/media.service.ts): the only relative
 * URL kept, and only on images, in exactly this shape. The publisher uploads them to WeChat
 * (`uploadimg`) and rewrites the `src` before draft/add; any other relative URL is dropped.
 */
const LIBRARY_IMAGE = /^\/api\/media\/[0-9a-fA-F-]{36}\/file$/;

/** Whether `value` is an absolute URL whose scheme is one of `schemes` (no relative or `//host` URLs). */
function isAllowedUrl(value: string, schemes: readonly string[]): boolean {
  // Browsers drop tabs and newlines inside URLs and ignore other control characters around them:
  // a URL that needs such tricks is refused outright rather than normalised.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
  if (/[\u0000-\u001f\u007f]/.test(value)) return false;
  const trimmed = value.trim();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(trimmed)?.[1]?.toLowerCase();
  if (!scheme || !schemes.includes(scheme)) return false;
  if (scheme === 'mailto') return true;
  try {
    const url = new URL(trimmed);
    return schemes.includes(url.protocol.slice(0, -1)) && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Keeps the URL attributes named in `checks` only when they pass `isAllowedUrl` (or `also`). */
const keepUrls =
  (checks: Record<string, readonly string[]>, also?: RegExp): sanitizeHtml.Transformer =>
  (tagName, attribs) => {
    const kept: sanitizeHtml.Attributes = { ...attribs };
    for (const [attr, schemes] of Object.entries(checks)) {
      const value = kept[attr];
      if (value === undefined) continue;
      if (isAllowedUrl(value, schemes) || also?.test(value.trim())) kept[attr] = value.trim();
      else delete kept[attr];
    }
    return { tagName, attribs: kept };
  };

const WEB = ['http', 'https'] as const;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    '*': ['style'],
    img: ['src', 'alt', 'width', 'height', 'data-src'],
    a: ['href', 'title'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
  },
  allowedStyles: {
    '*': ALLOWED_STYLES,
    img: { width: IMG_SIZE, 'max-width': IMG_SIZE, height: IMG_SIZE },
  },
  // Second line of defence behind `keepUrls`; `data-src` is not scheme-checked unless listed here.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [...WEB] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'data-src'],
  allowProtocolRelative: false,
  transformTags: {
    img: keepUrls({ src: WEB, 'data-src': WEB }, LIBRARY_IMAGE),
    a: keepUrls({ href: ['http', 'https', 'mailto'] }),
  },
  // An image whose every URL was refused shows nothing (or a broken-image icon): drop it.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src && !frame.attribs['data-src'],
  disallowedTagsMode: 'discard',
  // Contents dropped along with the tag. This replaces sanitize-html's default list, so the defaults
  // (script, style, textarea, option) are repeated. `xmp` matters: sanitize-html ≤ 2.17.3 copies a
  // discarded <xmp>'s raw text into the output unescaped (CVE-2026-44990), a live XSS otherwise.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'xmp',
    'noscript',
    'iframe',
    'noembed',
    'noframes',
    'plaintext',
    'title',
    'template',
  ],
};

/** The article body reduced to the markup and inline styles WeChat renders; everything else is dropped. */
export function sanitizeArticleHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}

/** Tags after which the text of the next element reads as a separate word (or line). */
const BLOCK_BOUNDARY =
  /<\/?(?:p|br|section|figure|figcaption|blockquote|h[1-6]|ul|ol|li|table|thead|tbody|tr|th|td|hr|pre|img)\b[^>]*>/gi;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the entities sanitize-html leaves in text (it encodes only & < > "), plus numeric ones. */
function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-zA-Z]+));/g, (entity, dec, hex, name) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? entity;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

/**
 * The visible text of an article body (after sanitising), entities decoded, with a line break
 * between blocks (paragraphs, headings, list items, table cells) and leading/trailing space trimmed.
 */
export function articleText(html: string): string {
  return textOfSanitised(sanitizeArticleHtml(html));
}

/**
 * The text of HTML that `sanitizeArticleHtml` produced. Sanitised output escapes every `<` and `>`
 * in text and attribute values, so removing `<…>` removes exactly the tags — no second parse.
 */
export function textOfSanitised(clean: string): string {
  return decodeEntities(clean.replace(BLOCK_BOUNDARY, '\n$&').replace(/<[^>]*>/g, '')).trim();
}

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}`;
/**
 * A word is either one CJK character (汉字, kana) or a run of other letters, combining marks and
 * digits (Latin, Cyrillic, Hangul…). So "你好，world 2026!" has 4 words: 你, 好, world, 2026.
 * Punctuation and symbols separate words without counting; "don't" is 2 words and "3.14" is 2.
 */
const WORD = new RegExp(`[${CJK}]|(?:(?![${CJK}])[\\p{L}\\p{M}\\p{N}])+`, 'gu');

export interface ArticleTextStats {
  /** Non-whitespace characters of the visible text, in Unicode code points (😀 is 1, not 2). */
  characters: number;
  /** CJK characters one each, plus each run of other letters/digits (see WORD). */
  words: number;
  /** `<img>` elements that survive sanitising. */
  images: number;
}

/** Counts for the editor, taken from the sanitised body, so markup that would be dropped never counts. */
export function articleTextStats(html: string): ArticleTextStats {
  return statsOfSanitised(sanitizeArticleHtml(html));
}

/** The counts of HTML that `sanitizeArticleHtml` produced (each `<img` in it is a real image). */
export function statsOfSanitised(clean: string): ArticleTextStats {
  const images = clean.match(/<img\b/gi)?.length ?? 0;
  const text = textOfSanitised(clean);
  const characters = [...text.replace(/\s+/gu, '')].length;
  const words = text.match(WORD)?.length ?? 0;
  return { characters, words, images };
}

import { WEIBO_MAX_LENGTH, weiboLength, weiboPostProblem } from '../../integrations/weibo/weibo.text.js';
import { AppError } from '../errors.js';
import { MEDIA_URL_PATTERN } from '../media/media.service.js';
import type { Proofreader } from '../proofreading/proofreader.js';
import { checkFields } from '../proofreading/proofreader.js';
import type { ProofFinding } from '../proofreading/proofreading.types.js';
import { ARTICLE_LIMITS, sanitizeArticleHtml, statsOfSanitised, textOfSanitised } from './article-html.js';
import type { ContentKind } from './content.table.js';

/**
 * The body of a revision: a WeChat edition (群发, 1–8 articles) or a Weibo post (text and at most
 * one picture). Stored as JSON per revision; images are media-library ids.
 */
export type CommentSetting = 'closed' | 'open' | 'followers_only';

export interface ArticleBody {
  title: string;
  author: string | null;
  digest: string | null;
  /** Sanitised on save (article-html.ts). Library images appear as `/api/media/<id>/file`. */
  contentHtml: string;
  /** Media id of the cover; required before submission, not while drafting. */
  coverMediaId: string | null;
  sourceUrl: string | null;
  /** 原创: counts towards the contract's "original articles a month". */
  original: boolean;
  comments: CommentSetting;
}

export interface EditionBody {
  kind: 'wechat_edition';
  articles: ArticleBody[];
}

export interface WeiboPostBody {
  kind: 'weibo_post';
  text: string;
  pictureMediaId: string | null;
}

export type ContentBody = EditionBody | WeiboPostBody;

type Loose<T> = { [K in keyof T]?: T[K] | undefined };

/** What an editor sends: optional fields default on save (no author, comments closed, not 原创). */
export type ArticleInput = Pick<ArticleBody, 'title' | 'contentHtml'> &
  Loose<Omit<ArticleBody, 'title' | 'contentHtml'>>;

export type ContentBodyInput =
  | { kind: 'wechat_edition'; articles: ArticleInput[] }
  | { kind: 'weibo_post'; text: string; pictureMediaId?: string | null | undefined };

export const MAX_ARTICLES = 8;

/** A measured field against its documented limit, shown to the editor before submission. */
export interface LimitCheck {
  field: string;
  value: number;
  limit: number;
  unit: 'chars' | 'bytes' | 'weibo_chars' | 'articles';
  ok: boolean;
}

export interface ArticleStats {
  characters: number;
  words: number;
  images: number;
}

export interface BodyReport {
  articles: ArticleStats[];
  checks: LimitCheck[];
}

const chars = (s: string) => [...s].length;

function fieldError(field: string, message: string, zh: string, details: Record<string, unknown> = {}) {
  return new AppError('CONTENT_FIELD_INVALID', message, 422, { field, reason: zh, ...details }, zh);
}

/**
 * Cleans a body for storage: HTML sanitised, whitespace trimmed, every hard limit checked (an
 * over-long field is refused here rather than stored and refused later).
 */
export function normaliseBody(kind: ContentKind, body: ContentBodyInput): ContentBody {
  if (body.kind !== kind)
    throw new AppError('CONTENT_KIND_MISMATCH', `This content is a ${kind}`, 422, { kind, given: body.kind });
  if (body.kind === 'weibo_post') {
    const text = body.text.trim();
    if (text === '') throw fieldError('text', 'The post is empty', '微博内容不能为空');
    const length = weiboLength(text);
    if (length > WEIBO_MAX_LENGTH)
      throw fieldError(
        'text',
        `The post is ${length} long`,
        `微博正文按微博计数为 ${length} 字，超过 ${WEIBO_MAX_LENGTH} 字上限`,
        {
          length,
          limit: WEIBO_MAX_LENGTH,
        },
      );
    return { kind: 'weibo_post', text, pictureMediaId: body.pictureMediaId ?? null };
  }
  if (body.articles.length < 1 || body.articles.length > MAX_ARTICLES)
    throw new AppError('TOO_MANY_ARTICLES', 'An edition holds 1–8 articles', 422, {
      count: body.articles.length,
      max: MAX_ARTICLES,
    });
  return {
    kind: 'wechat_edition',
    articles: body.articles.map((a, i) => {
      const at = `articles.${i}`;
      const title = a.title.trim();
      if (title === '') throw fieldError(`${at}.title`, 'The title is empty', `第 ${i + 1} 篇标题不能为空`);
      if (chars(title) > ARTICLE_LIMITS.titleChars)
        throw fieldError(
          `${at}.title`,
          'The title is too long',
          `第 ${i + 1} 篇标题最多 ${ARTICLE_LIMITS.titleChars} 个字`,
        );
      const author = a.author?.trim() || null;
      if (author && chars(author) > ARTICLE_LIMITS.authorChars)
        throw fieldError(
          `${at}.author`,
          'The author is too long',
          `第 ${i + 1} 篇作者最多 ${ARTICLE_LIMITS.authorChars} 个字`,
        );
      const digest = a.digest?.trim() || null;
      if (digest && chars(digest) > ARTICLE_LIMITS.digestChars)
        throw fieldError(
          `${at}.digest`,
          'The digest is too long',
          `第 ${i + 1} 篇摘要最多 ${ARTICLE_LIMITS.digestChars} 个字`,
        );
      const contentHtml = sanitizeArticleHtml(a.contentHtml);
      if (textOfSanitised(contentHtml) === '' && !/<img\b/i.test(contentHtml))
        throw fieldError(`${at}.contentHtml`, 'The body is empty', `第 ${i + 1} 篇正文不能为空`);
      if (
        contentHtml.length >= ARTICLE_LIMITS.contentChars ||
        Buffer.byteLength(contentHtml) >= ARTICLE_LIMITS.contentBytes
      )
        throw fieldError(
          `${at}.contentHtml`,
          'The body is too long',
          `第 ${i + 1} 篇正文须少于 ${ARTICLE_LIMITS.contentChars} 字符（含排版代码），当前 ${contentHtml.length}`,
          { length: contentHtml.length, limit: ARTICLE_LIMITS.contentChars },
        );
      const sourceUrl = a.sourceUrl?.trim() || null;
      if (sourceUrl && Buffer.byteLength(sourceUrl) > ARTICLE_LIMITS.sourceUrlBytes)
        throw fieldError(
          `${at}.sourceUrl`,
          'The source URL is too long',
          `第 ${i + 1} 篇“阅读原文”链接不能超过 1KB`,
        );
      return {
        title,
        author,
        digest,
        contentHtml,
        coverMediaId: a.coverMediaId ?? null,
        sourceUrl,
        original: a.original ?? false,
        comments: a.comments ?? 'closed',
      };
    }),
  };
}

/** Every media id a body refers to (covers, pictures and library images in the HTML). */
export function mediaIdsOf(body: ContentBody): string[] {
  const ids = new Set<string>();
  if (body.kind === 'weibo_post') {
    if (body.pictureMediaId) ids.add(body.pictureMediaId);
  } else {
    for (const a of body.articles) {
      if (a.coverMediaId) ids.add(a.coverMediaId);
      for (const m of a.contentHtml.matchAll(MEDIA_URL_PATTERN)) ids.add((m[1] as string).toLowerCase());
    }
  }
  return [...ids];
}

/** Word and character counts and every documented limit, for the editor and the reviewer. */
export function bodyReport(body: ContentBody): BodyReport {
  if (body.kind === 'weibo_post') {
    const length = weiboLength(body.text);
    return {
      articles: [],
      checks: [
        {
          field: 'text',
          value: length,
          limit: WEIBO_MAX_LENGTH,
          unit: 'weibo_chars',
          ok: length <= WEIBO_MAX_LENGTH,
        },
      ],
    };
  }
  const checks: LimitCheck[] = [
    {
      field: 'articles',
      value: body.articles.length,
      limit: MAX_ARTICLES,
      unit: 'articles',
      ok: body.articles.length <= MAX_ARTICLES,
    },
  ];
  const check = (field: string, value: number, limit: number, unit: LimitCheck['unit'], exclusive = false) =>
    checks.push({ field, value, limit, unit, ok: exclusive ? value < limit : value <= limit });
  const articles = body.articles.map((a, i) => {
    const at = `articles.${i}`;
    check(`${at}.title`, chars(a.title), ARTICLE_LIMITS.titleChars, 'chars');
    check(`${at}.author`, chars(a.author ?? ''), ARTICLE_LIMITS.authorChars, 'chars');
    check(`${at}.digest`, chars(a.digest ?? ''), ARTICLE_LIMITS.digestChars, 'chars');
    check(`${at}.contentHtml`, a.contentHtml.length, ARTICLE_LIMITS.contentChars, 'chars', true);
    check(`${at}.contentHtml`, Buffer.byteLength(a.contentHtml), ARTICLE_LIMITS.contentBytes, 'bytes', true);
    check(`${at}.sourceUrl`, Buffer.byteLength(a.sourceUrl ?? ''), ARTICLE_LIMITS.sourceUrlBytes, 'bytes');
    return statsOfSanitised(a.contentHtml);
  });
  return { articles, checks };
}

/** Proofreads every text field of a body; positions are within each field's text. */
export function proofreadBody(proofreader: Proofreader, body: ContentBody): ProofFinding[] {
  const fields: Record<string, string> = {};
  if (body.kind === 'weibo_post') fields.text = body.text;
  else
    body.articles.forEach((a, i) => {
      fields[`articles.${i}.title`] = a.title;
      if (a.author) fields[`articles.${i}.author`] = a.author;
      if (a.digest) fields[`articles.${i}.digest`] = a.digest;
      fields[`articles.${i}.body`] = textOfSanitised(a.contentHtml);
    });
  return checkFields(proofreader, fields);
}

/** What submission needs beyond the save-time limits: covers, and Weibo's own rules. */
export function submissionProblems(
  body: ContentBody,
  weiboSafeDomains: readonly string[],
): Array<{ field: string; reason: string }> {
  if (body.kind === 'weibo_post') {
    const problem = weiboPostProblem(body.text, weiboSafeDomains);
    return problem ? [{ field: 'text', reason: problem.editorMessage }] : [];
  }
  return body.articles.flatMap((a, i) =>
    a.coverMediaId ? [] : [{ field: `articles.${i}.coverMediaId`, reason: `第 ${i + 1} 篇缺少封面图` }],
  );
}

/** The title shown in lists and the calendar: the first article's, or the post's opening words. */
export function titleOf(body: ContentBody): string {
  if (body.kind === 'wechat_edition') return body.articles[0]?.title ?? '';
  const text = body.text.replace(/\s+/g, ' ');
  return chars(text) > 40 ? `${[...text].slice(0, 40).join('')}…` : text;
}

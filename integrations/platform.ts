/**
 * What the rest of Yunying may ask of a social platform. Code outside integrations/ knows only this
 * file; "if wechat" lives in integrations/wechat and integrations/weibo.
 */

export const PLATFORM_ERROR_KINDS = [
  /** The token was refused: refresh it, then retry once. */
  'auth',
  /** A person must act: wrong or frozen secret, expired Weibo grant, IP not on the whitelist. */
  'reauth',
  /** Too many calls: wait `retryAfterMs`, then retry. */
  'rate_limited',
  /** A daily quota is used up (mass sends, API calls): not before the next quota day. */
  'quota_exhausted',
  /** The content is refused: no retry; `editorMessage` says what to change. */
  'invalid_content',
  /** The account lacks this API permission (type or verification). */
  'not_permitted',
  /** Temporary failure before anything happened: retry with backoff. */
  'transient',
  /** The request may have taken effect (timeout or lost response after sending): never retry blindly. */
  'unknown_outcome',
] as const;

export type PlatformErrorKind = (typeof PLATFORM_ERROR_KINDS)[number];
export type Platform = 'wechat' | 'weibo';

export class PlatformError extends Error {
  constructor(
    readonly kind: PlatformErrorKind,
    readonly platform: Platform,
    message: string,
    readonly detail: {
      /** The platform's own code (errcode / error_code), when it gave one. */
      code?: number | string;
      /** 中文 text for the editor, naming the fix. */
      editorMessage?: string;
      retryAfterMs?: number;
      endpoint?: string;
    } = {},
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export interface AccountRef {
  accountId: string;
  platform: Platform;
  /** AppID or Weibo uid. */
  externalId: string;
  /** A sandbox account talks to the built-in emulator instead of the platform. */
  sandbox?: boolean;
}

export interface EditionArticle {
  title: string;
  author: string | null;
  digest: string | null;
  contentHtml: string;
  /** A reference the media loader resolves (a media-library id or path); the `<img src>`s likewise. */
  coverImage: string;
  sourceUrl: string | null;
  original: boolean;
  comments: 'closed' | 'open' | 'followers_only';
}

export interface Edition {
  /** Our idempotency key: WeChat's clientmsgid, so a repeated send is recognised by the platform. */
  idempotencyKey: string;
  articles: EditionArticle[];
  mode: 'masssend' | 'freepublish';
}

/** A Weibo post: text and at most one picture. */
export interface WeiboPostContent {
  /** Our idempotency key (Weibo has none: an unknown outcome is settled from the account's newest post). */
  idempotencyKey: string;
  text: string;
  /** A media reference the loader resolves, or null. */
  picture: string | null;
  /** The real IP of the person who posts (Weibo requires `rip`). */
  rip: string;
}

/** What a platform publishes: a WeChat edition or a Weibo post. */
export type Publication = Edition | WeiboPostContent;

/** Loads an image by reference; throws a PlatformError `invalid_content` when it cannot. */
export interface MediaLoader {
  load(ref: string): Promise<{ bytes: Buffer; filename: string }>;
}

export function emptyProgress(): PublishProgress {
  return {
    uploadedImages: {},
    coverMediaIds: {},
    draftMediaId: null,
    msgId: null,
    msgDataId: null,
    publishId: null,
    postId: null,
    postSubmittedAt: null,
  };
}

/** Platform ids recorded after each side effect, so a retry resumes after the last completed step. */
export interface PublishProgress {
  uploadedImages: Record<string, string>;
  coverMediaIds: Record<number, string>;
  draftMediaId: string | null;
  msgId: string | null;
  msgDataId: string | null;
  publishId: string | null;
  /** Weibo: the status id. */
  postId: string | null;
  /** Weibo: when the share was sent (recorded first), to settle an unknown outcome. */
  postSubmittedAt: string | null;
}

export type PublishState =
  | { state: 'publishing' }
  | { state: 'published'; articles: Array<{ articleId: string | null; url: string }> }
  | { state: 'failed'; reason: string };

export interface DailyAccountMetrics {
  date: string;
  followers: number | null;
  newFollowers: number | null;
  lostFollowers: number | null;
  reads: number | null;
  shares: number | null;
}

export interface ArticleDailyMetrics {
  date: string;
  externalArticleId: string;
  title: string;
  reads: number;
  shares: number;
  favourites: number | null;
}

/** Readers and sharers (people, not page views) per article and day: the 2025 datacube endpoints. */
export interface ArticleAudience {
  date: string;
  externalArticleId: string;
  readers: number;
  /** null before 2025-11-01, when WeChat began to keep it. */
  sharers: number | null;
}

/** One day's overview of everything the account published (getbizsummary). */
export interface PublishedDaySummary {
  date: string;
  readers: number;
  sharers: number;
  likes: number;
  /** 在看 / 爱心赞. */
  zaikan: number;
  comments: number;
}

export interface PostCounts {
  id: string;
  comments: number;
  reposts: number;
  /** Likes (点赞). */
  attitudes: number;
}

export interface PublishedItem {
  externalId: string;
  title: string;
  url: string;
  publishedAt: string;
}

/**
 * One data set a platform reports for an account (DESIGN: metrics). `span` is the longest range one
 * collection covers in a call pattern that keeps to every endpoint's maximum span; `history` false
 * means the platform only tells today's value (Weibo followers), so a backfill cannot fill the past.
 */
export interface MetricDataset {
  name: string;
  span: number;
  history: boolean;
}

/**
 * An account's figures for one day. A key left out (undefined) is a figure this data set does not
 * carry; stored figures for it stay as they are.
 */
export interface AccountDayFigures {
  date: string;
  followers?: number | null;
  newFollowers?: number | null;
  lostFollowers?: number | null;
  /** New followers by the platform's source code (getusersummary user_source). */
  newBySource?: Record<string, number> | null;
  /** Article page reads (图文页阅读次数). */
  reads?: number | null;
  /** People who read (图文页阅读人数). */
  readers?: number | null;
  shares?: number | null;
}

export interface ArticleDayFigures {
  date: string;
  externalArticleId: string;
  title?: string;
  reads?: number | null;
  readers?: number | null;
  shares?: number | null;
  likes?: number | null;
  comments?: number | null;
  favourites?: number | null;
}

export interface CollectedMetrics {
  accountDays: AccountDayFigures[];
  articleDays: ArticleDayFigures[];
  /** Things a person should know about the collection (in Chinese), e.g. data the platform lacks. */
  notes: string[];
}

/** What a collection may need to know from our side: the posts we published (Weibo counts). */
export interface CollectContext {
  published: Array<{ externalId: string; title: string; publishedAt: Date }>;
}

export interface CredentialCheck {
  token: boolean;
  ipWhitelist: boolean | null;
  publishing: boolean | null;
  analytics: boolean | null;
  problems: Array<{ check: string; kind: PlatformErrorKind; editorMessage: string; code?: number | string }>;
}

/**
 * One platform seen through one account. A capability the platform lacks (a custom menu on Weibo,
 * a Weibo post on WeChat) fails with `not_permitted` and a message saying so.
 */
export interface PlatformClient {
  readonly platform: Platform;
  /** Checks the credentials and reports which capabilities work. */
  verify(account: AccountRef): Promise<CredentialCheck>;
  /**
   * Publishes step by step, calling `record` after every side effect with the ids so far; given the
   * progress of an earlier attempt it resumes after the last completed step.
   */
  publishEdition(
    account: AccountRef,
    edition: Edition,
    progress: PublishProgress,
    record: (progress: PublishProgress) => Promise<void>,
    media: MediaLoader,
  ): Promise<PublishProgress>;
  /** Posts to Weibo, recording the submission time first and the status id after. */
  publishPost(
    account: AccountRef,
    post: WeiboPostContent,
    progress: PublishProgress,
    record: (progress: PublishProgress) => Promise<void>,
    media: MediaLoader,
  ): Promise<PublishProgress>;
  /** Where a publish stands, asked of the platform (never by publishing again). */
  publishState(account: AccountRef, progress: PublishProgress, content: Publication): Promise<PublishState>;
  listPublished(account: AccountRef, since: Date): Promise<PublishedItem[]>;
  /** Daily account figures for [from, to] (Asia/Shanghai days). */
  accountDailyMetrics(account: AccountRef, from: string, to: string): Promise<DailyAccountMetrics[]>;
  articleMetrics(account: AccountRef, date: string): Promise<ArticleDailyMetrics[]>;
  /** The data sets of this platform, in the order ingestion should collect them. */
  metricDatasets(account: AccountRef): readonly MetricDataset[];
  /**
   * One data set for [from, to] (Asia/Shanghai days, T+1 for history): at most the data set's span
   * for history data sets; the client splits it into each endpoint's allowed spans.
   */
  collectMetrics(
    account: AccountRef,
    dataset: string,
    from: string,
    to: string,
    context: CollectContext,
  ): Promise<CollectedMetrics>;
  /** Comments, reposts and likes of published posts (Weibo). */
  postCounts(account: AccountRef, ids: string[]): Promise<PostCounts[]>;
  customMenu(account: AccountRef): Promise<unknown>;
}

export function unsupported(platform: Platform, what: string, editorMessage: string): PlatformError {
  return new PlatformError('not_permitted', platform, `${platform} has no ${what}`, { editorMessage });
}

/** Connection errors that prove a request never reached the platform (safe to retry any call). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The network error code behind a failed `fetch`, if any. */
export function networkErrorCode(err: unknown): string | undefined {
  return (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
}

export function provablyUnsent(err: unknown): boolean {
  const code = networkErrorCode(err);
  return code !== undefined && NOT_SENT.has(code);
}

/** Adds a failed check of a credential verification, keeping the platform's own code and message. */
export function addProblem(result: CredentialCheck, check: string, err: unknown): PlatformError {
  if (!(err instanceof PlatformError)) throw err;
  result.problems.push({
    check,
    kind: err.kind,
    editorMessage: err.detail.editorMessage ?? err.message,
    ...(err.detail.code !== undefined ? { code: err.detail.code } : {}),
  });
  return err;
}

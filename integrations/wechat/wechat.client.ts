import {
  type AccountDayFigures,
  type ArticleAudience,
  type ArticleDailyMetrics,
  type ArticleDayFigures,
  addProblem,
  type CollectedMetrics,
  type CredentialCheck,
  type DailyAccountMetrics,
  type Edition,
  type MediaLoader,
  type MetricDataset,
  PlatformError,
  type PublishedDaySummary,
  type PublishedItem,
  type PublishProgress,
  type PublishState,
} from '../platform.js';
import type { WechatTokenHolder } from './token-holder.js';
import { publishEditionSteps, publishStateOf, type WechatPublishCalls } from './wechat.publish.js';
import { type DatacubeEndpoint, WechatApiAdapter } from './wechat-api.adapter.js';

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** [from, to] cut into consecutive ranges of at most `max` days. */
export function spans(from: string, to: string, max: number): Array<[string, string]> {
  const all = days(from, to);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < all.length; i += max)
    out.push([all[i] as string, all[Math.min(i + max, all.length) - 1] as string]);
  return out;
}

const yesterdayInShanghai = (now = Date.now()) =>
  new Date(now + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);

/** A valid date range that ends by yesterday (datacube is T+1), or invalid_content. */
function checkRange(from: string, to: string, now: number): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to)
    throw new PlatformError('invalid_content', 'wechat', `bad date range ${from}..${to}`, {
      editorMessage: '日期范围无效。',
    });
  if (to > yesterdayInShanghai(now))
    throw new PlatformError('invalid_content', 'wechat', `datacube data is T+1: ${to} is not available yet`, {
      editorMessage: '微信数据次日才可获取（每日 8 点后获取前一天数据）。',
    });
}
const checkDay = (date: string, now: number) => checkRange(date, date, now);

/** getarticleshare: "数据存储起始时间为2025-11-01,之前日期数据无效". */
const ARTICLE_SHARE_FROM = '2025-11-01';

/**
 * WeChat's data sets. A collection covers at most 42 days: whole 7-day and 3-day spans, so a backfill
 * window wastes no call.
 */
export const WECHAT_DATASETS: readonly MetricDataset[] = [
  { name: 'followers', span: 42, history: true },
  { name: 'reads', span: 42, history: true },
  { name: 'articles', span: 42, history: true },
];

/** The WeChat side of the platform interface (growing issue by issue; publishing comes next). */
export class WechatClient {
  private readonly api: WechatApiAdapter;

  constructor(
    baseUrl: string,
    private readonly tokens: WechatTokenHolder,
  ) {
    this.api = new WechatApiAdapter(baseUrl);
  }

  /** A call with the account's token (refreshed and retried once by the holder after a 40001). */
  private with<T>(appid: string, fn: (api: WechatApiAdapter, token: string) => Promise<T>): Promise<T> {
    return this.tokens.withToken(appid, (token) => fn(this.api, token));
  }

  private datacube<Row>(appid: string, name: DatacubeEndpoint, begin: string, end: string) {
    return this.with(appid, (api, t) => api.datacube<Row>(t, name, begin, end));
  }

  private publishCalls(appid: string): WechatPublishCalls {
    return {
      uploadImage: (bytes, filename) => this.with(appid, (api, t) => api.uploadImage(t, bytes, filename)),
      uploadThumb: (bytes, filename) => this.with(appid, (api, t) => api.uploadThumb(t, bytes, filename)),
      addDraft: (articles) => this.with(appid, (api, t) => api.addDraft(t, articles)),
      massSend: (draftMediaId, clientMsgId) =>
        this.with(appid, (api, t) => api.massSendAll(t, draftMediaId, clientMsgId)),
      freepublishSubmit: (draftMediaId) =>
        this.with(appid, (api, t) => api.freepublishSubmit(t, draftMediaId)),
      massStatus: (msgId) => this.with(appid, (api, t) => api.massStatus(t, msgId)),
      freepublishGet: async (publishId) => {
        const r = await this.with(appid, (api, t) => api.freepublishGet(t, publishId));
        return {
          status: r.publish_status,
          articleId: r.article_id ?? null,
          urls: r.article_detail?.item.map((i) => i.article_url) ?? [],
          failIdx: r.fail_idx ?? [],
        };
      },
    };
  }

  publishEdition(
    appid: string,
    edition: Edition,
    progress: PublishProgress,
    record: (p: PublishProgress) => Promise<void>,
    media: MediaLoader,
  ): Promise<PublishProgress> {
    return publishEditionSteps(this.publishCalls(appid), edition, progress, record, media);
  }

  publishState(
    appid: string,
    progress: PublishProgress,
    edition?: Edition,
    since = new Date(Date.now() - 24 * 3600_000),
  ): Promise<PublishState> {
    return publishStateOf(this.publishCalls(appid), progress, edition, () =>
      this.listPublished(appid, since),
    );
  }

  /**
   * Daily follower and read figures for [from, to] (YYYY-MM-DD, Asia/Shanghai days): the range is cut
   * into each endpoint's maximum span (user summary and cumulate 7 days, user reads 3) and must end by
   * yesterday (T+1).
   */
  async accountDailyMetrics(
    appid: string,
    from: string,
    to: string,
    now = Date.now(),
  ): Promise<DailyAccountMetrics[]> {
    checkRange(from, to, now);
    const byDay = new Map<string, DailyAccountMetrics>();
    const row = (date: string) => {
      let r = byDay.get(date);
      if (!r) {
        r = { date, followers: null, newFollowers: null, lostFollowers: null, reads: null, shares: null };
        byDay.set(date, r);
      }
      return r;
    };
    for (const [begin, end] of spans(from, to, 7)) {
      const summary = await this.datacube<{ ref_date: string; new_user: number; cancel_user: number }>(
        appid,
        'getusersummary',
        begin,
        end,
      );
      for (const x of summary.list) {
        const r = row(x.ref_date);
        r.newFollowers = (r.newFollowers ?? 0) + x.new_user;
        r.lostFollowers = (r.lostFollowers ?? 0) + x.cancel_user;
      }
      const cumulate = await this.datacube<{ ref_date: string; cumulate_user: number }>(
        appid,
        'getusercumulate',
        begin,
        end,
      );
      for (const x of cumulate.list) row(x.ref_date).followers = x.cumulate_user;
    }
    for (const [begin, end] of spans(from, to, 3)) {
      const reads = await this.datacube<{
        ref_date: string;
        user_source?: number;
        int_page_read_count: number;
        share_count: number;
      }>(appid, 'getuserread', begin, end);
      // Per-source rows may come with a 99999999 "all" row; prefer it, else add the sources up.
      for (const x of reads.list.filter((l) => l.user_source === undefined || l.user_source === 99999999)) {
        const r = row(x.ref_date);
        r.reads = x.int_page_read_count;
        r.shares = x.share_count;
      }
    }
    for (const d of days(from, to)) row(d);
    return [...byDay.values()].sort((a, b) => a.date.localeCompare(b.date));
  }

  /** Per-article statistics of one day (getarticlesummary: span 1, T+1). */
  async articleMetrics(appid: string, date: string, now = Date.now()): Promise<ArticleDailyMetrics[]> {
    checkDay(date, now);
    const r = await this.datacube<{
      ref_date: string;
      msgid: string;
      title: string;
      int_page_read_count: number;
      share_count: number;
      add_to_fav_count?: number;
    }>(appid, 'getarticlesummary', date, date);
    return r.list.map((x) => ({
      date: x.ref_date,
      externalArticleId: x.msgid,
      title: x.title,
      reads: x.int_page_read_count,
      shares: x.share_count,
      favourites: x.add_to_fav_count ?? null,
    }));
  }

  /**
   * Readers and sharers per article on one day, from the 2025 endpoints that replace
   * getarticlesummary (getarticleread + getarticleshare; one day per call, T+1). Sharers exist from
   * 2025-11-01 on.
   */
  async articleAudience(appid: string, date: string, now = Date.now()): Promise<ArticleAudience[]> {
    checkDay(date, now);
    const reads = await this.datacube<{ ref_date: string; msgid: string; detail: { read_user: number } }>(
      appid,
      'getarticleread',
      date,
      date,
    );
    const shares =
      date < ARTICLE_SHARE_FROM
        ? new Map<string, number>()
        : new Map(
            (
              await this.datacube<{ msgid: string; detail: { share_user: number } }>(
                appid,
                'getarticleshare',
                date,
                date,
              )
            ).list.map((x) => [x.msgid, x.detail.share_user]),
          );
    return reads.list.map((x) => ({
      date: x.ref_date,
      externalArticleId: x.msgid,
      readers: x.detail.read_user,
      sharers: date < ARTICLE_SHARE_FROM ? null : (shares.get(x.msgid) ?? 0),
    }));
  }

  /** The daily overview of everything published (getbizsummary), one call per day (its span is undocumented). */
  async publishedSummary(
    appid: string,
    from: string,
    to: string,
    now = Date.now(),
  ): Promise<PublishedDaySummary[]> {
    checkRange(from, to, now);
    const out: PublishedDaySummary[] = [];
    for (const day of days(from, to)) {
      const r = await this.datacube<{
        ref_date: string;
        detail: {
          read_user: number;
          share_user: number;
          like_user: number;
          zaikan_user: number;
          comment_count: number;
        };
      }>(appid, 'getbizsummary', day, day);
      for (const x of r.list)
        out.push({
          date: x.ref_date,
          readers: x.detail.read_user,
          sharers: x.detail.share_user,
          likes: x.detail.like_user,
          zaikan: x.detail.zaikan_user,
          comments: x.detail.comment_count,
        });
    }
    return out;
  }

  /**
   * One data set for [from, to] (see WECHAT_DATASETS), every endpoint called within its maximum span.
   * - followers: getusersummary (new and lost by source) + getusercumulate (total), 7-day spans;
   * - reads: getuserread (all-source page reads and readers, 3-day spans) + getusershare (7-day spans);
   * - articles: getarticlesummary per day, plus readers and sharers from the 2025 endpoints
   *   (getarticleread / getarticleshare) when the account has them.
   */
  async collectMetrics(appid: string, dataset: string, from: string, to: string, now = Date.now()) {
    checkRange(from, to, now);
    const out: CollectedMetrics = { accountDays: [], articleDays: [], notes: [] };
    if (dataset === 'followers') {
      for (const [begin, end] of spans(from, to, 7)) {
        // Every day of the span has a row (a day without activity may come back empty); rows for
        // days outside the span are ignored.
        const byDay = new Map(
          days(begin, end).map((d): [string, AccountDayFigures] => [
            d,
            { date: d, newFollowers: 0, lostFollowers: 0, newBySource: {} },
          ]),
        );
        const summary = await this.datacube<{
          ref_date: string;
          user_source: number;
          new_user: number;
          cancel_user: number;
        }>(appid, 'getusersummary', begin, end);
        for (const x of summary.list) {
          const r = byDay.get(x.ref_date);
          if (!r) continue;
          r.newFollowers = (r.newFollowers ?? 0) + x.new_user;
          r.lostFollowers = (r.lostFollowers ?? 0) + x.cancel_user;
          const bySource = r.newBySource as Record<string, number>;
          bySource[x.user_source] = (bySource[x.user_source] ?? 0) + x.new_user;
        }
        const cumulate = await this.datacube<{ ref_date: string; cumulate_user: number }>(
          appid,
          'getusercumulate',
          begin,
          end,
        );
        for (const x of cumulate.list) {
          const r = byDay.get(x.ref_date);
          if (r) r.followers = x.cumulate_user;
        }
        out.accountDays.push(...byDay.values());
      }
    } else if (dataset === 'reads') {
      const byDay = new Map(days(from, to).map((d) => [d, { date: d } as AccountDayFigures]));
      for (const [begin, end] of spans(from, to, 3)) {
        const r = await this.datacube<{
          ref_date: string;
          user_source?: number;
          int_page_read_user: number;
          int_page_read_count: number;
        }>(appid, 'getuserread', begin, end);
        // Per-source rows may come with a 99999999 "all" row; prefer it, else add the sources up.
        const all = r.list.filter((l) => l.user_source === 99999999);
        for (const x of all.length > 0 ? all : r.list) {
          const f = byDay.get(x.ref_date);
          if (!f) continue;
          f.reads = (all.length > 0 ? 0 : (f.reads ?? 0)) + x.int_page_read_count;
          f.readers = (all.length > 0 ? 0 : (f.readers ?? 0)) + x.int_page_read_user;
        }
      }
      for (const [begin, end] of spans(from, to, 7)) {
        const r = await this.datacube<{ ref_date: string; share_count: number }>(
          appid,
          'getusershare',
          begin,
          end,
        );
        for (const d of days(begin, end)) {
          const f = byDay.get(d);
          if (f) f.shares = 0;
        }
        for (const x of r.list) {
          const f = byDay.get(x.ref_date);
          if (f) f.shares = (f.shares ?? 0) + x.share_count;
        }
      }
      out.accountDays.push(...byDay.values());
    } else if (dataset === 'articles') {
      for (const date of days(from, to)) {
        const rows = new Map<string, ArticleDayFigures>();
        for (const a of await this.articleMetrics(appid, date, now))
          if (a.date === date)
            rows.set(a.externalArticleId, {
              date,
              externalArticleId: a.externalArticleId,
              title: a.title,
              reads: a.reads,
              shares: a.shares,
              favourites: a.favourites,
            });
        if (!this.without2025.has(appid)) {
          try {
            for (const a of await this.articleAudience(appid, date, now)) {
              const r = rows.get(a.externalArticleId) ?? { date, externalArticleId: a.externalArticleId };
              r.readers = a.readers;
              rows.set(a.externalArticleId, r);
            }
          } catch (err) {
            if (!(err instanceof PlatformError) || err.kind !== 'not_permitted') throw err;
            this.without2025.add(appid);
            out.notes.push('该账号不能调用 2025 年新版文章数据接口，只记录阅读次数、分享和收藏。');
          }
        }
        out.articleDays.push(...rows.values());
      }
    } else throw new Error(`unknown WeChat data set "${dataset}"`);
    return out;
  }

  /** Accounts whose calls to the 2025 datacube endpoints were refused (48001): not asked again. */
  private readonly without2025 = new Set<string>();

  /** Free-published items since a time, newest first (mass sends are not listed by WeChat). */
  async listPublished(appid: string, since: Date): Promise<PublishedItem[]> {
    const out: PublishedItem[] = [];
    for (let offset = 0; ; offset += 20) {
      const r = await this.with(appid, (api, t) => api.freepublishBatchget(t, offset, 20));
      for (const item of r.item) {
        if (item.update_time * 1000 < since.getTime()) return out;
        for (const [i, n] of item.content.news_item.entries())
          out.push({
            externalId: `${item.article_id}_${i + 1}`,
            title: n.title,
            url: n.url,
            publishedAt: new Date(item.update_time * 1000).toISOString(),
          });
      }
      if (r.item.length < 20 || offset + 20 >= r.total_count) return out;
    }
  }

  customMenu(appid: string): Promise<unknown> {
    return this.with(appid, (api, t) => api.menu(t));
  }

  /**
   * What works with the stored credentials: a token (AppSecret right, server IP whitelisted), the
   * publishing API (freepublish, verified accounts) and analytics (datacube).
   */
  async verify(appid: string): Promise<CredentialCheck> {
    const result: CredentialCheck = {
      token: false,
      ipWhitelist: null,
      publishing: null,
      analytics: null,
      problems: [],
    };
    const problem = (check: string, err: unknown) => addProblem(result, check, err);
    try {
      await this.tokens.token(appid);
      result.token = true;
      result.ipWhitelist = true;
    } catch (err) {
      const e = problem('token', err);
      if (e.detail.code === 40164) result.ipWhitelist = false;
      return result;
    }
    try {
      await this.with(appid, (api, t) => api.freepublishBatchget(t, 0, 1));
      result.publishing = true;
    } catch (err) {
      if (problem('publishing', err).kind === 'not_permitted') result.publishing = false;
    }
    try {
      const day = yesterdayInShanghai();
      await this.datacube(appid, 'getusersummary', day, day);
      result.analytics = true;
    } catch (err) {
      if (problem('analytics', err).kind === 'not_permitted') result.analytics = false;
    }
    return result;
  }
}

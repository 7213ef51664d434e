import {
  type ArticleDailyMetrics,
  addProblem,
  type CredentialCheck,
  type DailyAccountMetrics,
  type Edition,
  type MediaLoader,
  PlatformError,
  type PublishedItem,
  type PublishProgress,
  type PublishState,
} from '../platform.js';
import type { WechatTokenHolder } from './token-holder.js';
import { wechatCall } from './wechat.http.js';
import { publishEditionSteps, publishStateOf, type WechatPublishCalls } from './wechat.publish.js';

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

/** The WeChat side of the platform interface (growing issue by issue; publishing comes next). */
export class WechatClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: WechatTokenHolder,
  ) {}

  private call<T>(
    appid: string,
    path: string,
    body?: unknown,
    method: 'GET' | 'POST' = 'POST',
    extra: {
      idempotent?: boolean;
      query?: Record<string, string>;
      form?: () => FormData;
      acceptCodes?: number[];
    } = {},
  ): Promise<T> {
    return this.tokens.withToken(appid, (token) =>
      wechatCall<T>(this.baseUrl, {
        method,
        path,
        query: { access_token: token, ...extra.query },
        body,
        ...(extra.form ? { form: extra.form() } : {}),
        idempotent: extra.idempotent ?? true,
        ...(extra.acceptCodes ? { acceptCodes: extra.acceptCodes } : {}),
      }),
    );
  }

  private publishCalls(appid: string): WechatPublishCalls {
    const file = (bytes: Buffer, filename: string) => () => {
      const form = new FormData();
      form.append('media', new Blob([bytes]), filename);
      return form;
    };
    return {
      uploadImage: async (bytes, filename) =>
        (
          await this.call<{ url: string }>(appid, 'cgi-bin/media/uploadimg', undefined, 'POST', {
            form: file(bytes, filename),
          })
        ).url,
      uploadThumb: async (bytes, filename) =>
        (
          await this.call<{ media_id: string }>(appid, 'cgi-bin/material/add_material', undefined, 'POST', {
            form: file(bytes, filename),
            query: { type: 'thumb' },
          })
        ).media_id,
      // A repeated draft/add leaves an unused draft, nothing a follower sees: safe to retry.
      addDraft: async (articles) =>
        (await this.call<{ media_id: string }>(appid, 'cgi-bin/draft/add', { articles })).media_id,
      // Never retried blindly: a lost answer is unknown_outcome. clientmsgid makes the platform itself
      // refuse a duplicate (45065, with the earlier msg_id).
      massSend: async (draftMediaId, clientMsgId) => {
        const r = await this.call<{ msg_id: number | string; msg_data_id?: number | string }>(
          appid,
          'cgi-bin/message/mass/sendall',
          {
            filter: { is_to_all: true },
            mpnews: { media_id: draftMediaId },
            msgtype: 'mpnews',
            send_ignore_reprint: 0,
            clientmsgid: clientMsgId,
          },
          'POST',
          { idempotent: false, acceptCodes: [45065] },
        );
        return {
          msgId: String(r.msg_id),
          msgDataId: r.msg_data_id === undefined ? null : String(r.msg_data_id),
        };
      },
      freepublishSubmit: async (draftMediaId) => {
        const r = await this.call<{ publish_id: string | number; msg_data_id?: string | number }>(
          appid,
          'cgi-bin/freepublish/submit',
          { media_id: draftMediaId },
          'POST',
          { idempotent: false },
        );
        return {
          publishId: String(r.publish_id),
          msgDataId: r.msg_data_id === undefined ? null : String(r.msg_data_id),
        };
      },
      massStatus: async (msgId) =>
        (await this.call<{ msg_status: string }>(appid, 'cgi-bin/message/mass/get', { msg_id: msgId }))
          .msg_status,
      freepublishGet: async (publishId) => {
        const r = await this.call<{
          publish_status: number;
          article_id?: string;
          article_detail?: { item: Array<{ article_url: string }> };
          fail_idx?: number[];
        }>(appid, 'cgi-bin/freepublish/get', { publish_id: publishId });
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

  publishState(appid: string, progress: PublishProgress): Promise<PublishState> {
    return publishStateOf(this.publishCalls(appid), progress);
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
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to)
      throw new PlatformError('invalid_content', 'wechat', `bad date range ${from}..${to}`, {
        editorMessage: '日期范围无效。',
      });
    if (to > yesterdayInShanghai(now))
      throw new PlatformError(
        'invalid_content',
        'wechat',
        `datacube data is T+1: ${to} is not available yet`,
        {
          editorMessage: '微信数据次日才可获取（每日 8 点后获取前一天数据）。',
        },
      );
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
      const body = { begin_date: begin, end_date: end };
      const summary = await this.call<{
        list: Array<{ ref_date: string; new_user: number; cancel_user: number }>;
      }>(appid, 'datacube/getusersummary', body);
      for (const x of summary.list) {
        const r = row(x.ref_date);
        r.newFollowers = (r.newFollowers ?? 0) + x.new_user;
        r.lostFollowers = (r.lostFollowers ?? 0) + x.cancel_user;
      }
      const cumulate = await this.call<{ list: Array<{ ref_date: string; cumulate_user: number }> }>(
        appid,
        'datacube/getusercumulate',
        body,
      );
      for (const x of cumulate.list) row(x.ref_date).followers = x.cumulate_user;
    }
    for (const [begin, end] of spans(from, to, 3)) {
      const reads = await this.call<{
        list: Array<{
          ref_date: string;
          user_source?: number;
          int_page_read_count: number;
          share_count: number;
        }>;
      }>(appid, 'datacube/getuserread', { begin_date: begin, end_date: end });
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
    if (date > yesterdayInShanghai(now))
      throw new PlatformError(
        'invalid_content',
        'wechat',
        `datacube data is T+1: ${date} is not available yet`,
        {
          editorMessage: '微信数据次日才可获取（每日 8 点后获取前一天数据）。',
        },
      );
    const r = await this.call<{
      list: Array<{
        ref_date: string;
        msgid: string;
        title: string;
        int_page_read_count: number;
        share_count: number;
        add_to_fav_count?: number;
      }>;
    }>(appid, 'datacube/getarticlesummary', { begin_date: date, end_date: date });
    return r.list.map((x) => ({
      date: x.ref_date,
      externalArticleId: x.msgid,
      title: x.title,
      reads: x.int_page_read_count,
      shares: x.share_count,
      favourites: x.add_to_fav_count ?? null,
    }));
  }

  /** Free-published items since a time, newest first (mass sends are not listed by WeChat). */
  async listPublished(appid: string, since: Date): Promise<PublishedItem[]> {
    const out: PublishedItem[] = [];
    for (let offset = 0; ; offset += 20) {
      const r = await this.call<{
        total_count: number;
        item: Array<{
          article_id: string;
          update_time: number;
          content: { news_item: Array<{ title: string; url: string }> };
        }>;
      }>(appid, 'cgi-bin/freepublish/batchget', { offset, count: 20, no_content: 1 });
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
    return this.call(appid, 'cgi-bin/get_current_selfmenu_info', undefined, 'GET');
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
      await this.call(appid, 'cgi-bin/freepublish/batchget', { offset: 0, count: 1, no_content: 1 });
      result.publishing = true;
    } catch (err) {
      if (problem('publishing', err).kind === 'not_permitted') result.publishing = false;
    }
    try {
      const day = yesterdayInShanghai();
      await this.call(appid, 'datacube/getusersummary', { begin_date: day, end_date: day });
      result.analytics = true;
    } catch (err) {
      if (problem('analytics', err).kind === 'not_permitted') result.analytics = false;
    }
    return result;
  }
}

import {
  type AccountRef,
  type CollectContext,
  type CollectedMetrics,
  type CredentialCheck,
  type DailyAccountMetrics,
  type MediaLoader,
  type MetricDataset,
  type PlatformClient,
  PlatformError,
  type PostCounts,
  type Publication,
  type PublishedItem,
  type PublishProgress,
  type PublishState,
  unsupported,
  type WeiboPostContent,
} from '../platform.js';
import type { WeiboClient } from './weibo.client.js';

/** Clock difference tolerated between us and Weibo when matching the newest post to a submission. */
const CLOCK_SLACK_MS = 60_000;
/** statuses/count takes a batch of ids; 100 is the documented batch of its business twin. */
const COUNT_BATCH = 100;

const DAY_MS = 86_400_000;
const shanghaiDay = (at: number) => new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);
const shanghaiToday = (now = Date.now()) => shanghaiDay(now);
/** Posts whose counts the daily ingestion records: those of the last 30 days. */
const POST_COUNT_DAYS = 30;

/** Weibo's data sets: snapshots only (no history). */
export const WEIBO_DATASETS: readonly MetricDataset[] = [
  { name: 'followers', span: 1, history: false },
  { name: 'posts', span: 1, history: false },
];
/** Weibo rewrites links (t.cn) and may trim spaces: compare texts without them. */
const comparable = (text: string) => text.replace(/https?:\/\/\S+/g, '').replace(/\s+/g, '');
const statusUrl = (uid: string, id: string) => `https://weibo.com/${uid}/${id}`;

/**
 * The platform interface for Weibo accounts: the uid is the external id and the access token is the
 * account's stored credential. Weibo keeps no daily history for an app, so account metrics are a
 * snapshot of today, and there is no per-article daily read figure.
 */
export class WeiboPlatform implements PlatformClient {
  readonly platform = 'weibo' as const;

  constructor(
    private readonly clientFor: (account: AccountRef) => WeiboClient,
    private readonly tokenOf: (account: AccountRef) => Promise<string>,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(a: AccountRef): Promise<CredentialCheck> {
    return this.clientFor(a).verify(await this.tokenOf(a), a.externalId);
  }

  async publishEdition(): Promise<PublishProgress> {
    throw unsupported('weibo', 'WeChat editions', '微博账号不能群发公众号图文：请选择公众号账号。');
  }

  /**
   * Shares the post. The submission time is recorded before the call; when an earlier attempt's
   * outcome is unknown, the account's newest post decides first, so a post is never sent twice.
   */
  async publishPost(
    a: AccountRef,
    post: WeiboPostContent,
    progress: PublishProgress,
    record: (p: PublishProgress) => Promise<void>,
    media: MediaLoader,
  ): Promise<PublishProgress> {
    if (progress.postId) return progress;
    const client = this.clientFor(a);
    if (progress.postSubmittedAt) {
      const state = await this.publishState(a, progress, post);
      if (state.state === 'published') {
        const settled = { ...progress, postId: state.articles[0]?.articleId ?? null };
        await record(settled);
        return settled;
      }
      if (state.state === 'publishing')
        throw new PlatformError('unknown_outcome', 'weibo', 'an earlier share may have been published', {
          editorMessage: '上一次发送的结果无法确认（之后账号又发了新微博）：请在微博上核实后再决定是否重发。',
        });
    }
    client.checkPost(post.text);
    const picture = post.picture ? await media.load(post.picture) : undefined;
    const token = await this.tokenOf(a);
    const submitted = { ...progress, postSubmittedAt: new Date(this.now()).toISOString() };
    await record(submitted);
    const r = await client.share(token, { text: post.text, picture, rip: post.rip });
    const done = { ...submitted, postId: r.id };
    await record(done);
    return done;
  }

  /**
   * Published when the status id is known, or when the account's newest post is ours (same text,
   * created after the submission). Failed when nothing was sent, or when the newest post is older
   * than the submission. Otherwise still open: a newer post hides ours, a person must look.
   */
  async publishState(a: AccountRef, progress: PublishProgress, content: Publication): Promise<PublishState> {
    if (progress.postId)
      return {
        state: 'published',
        articles: [{ articleId: progress.postId, url: statusUrl(a.externalId, progress.postId) }],
      };
    if (!progress.postSubmittedAt || !('text' in content)) return { state: 'failed', reason: '微博未发送。' };
    const { latest } = await this.clientFor(a).usersShow(await this.tokenOf(a), a.externalId);
    const since = Date.parse(progress.postSubmittedAt) - CLOCK_SLACK_MS;
    if (!latest || latest.createdAt.getTime() < since)
      return { state: 'failed', reason: '微博上没有找到这条微博：它没有发布成功，可以重新发布。' };
    if (comparable(latest.text) === comparable(content.text))
      return {
        state: 'published',
        articles: [{ articleId: latest.id, url: statusUrl(a.externalId, latest.id) }],
      };
    return { state: 'publishing' };
  }

  /** Weibo lets an app see only the newest post of an account. */
  async listPublished(a: AccountRef, since: Date): Promise<PublishedItem[]> {
    const { latest } = await this.clientFor(a).usersShow(await this.tokenOf(a), a.externalId);
    if (!latest || latest.createdAt < since) return [];
    return [
      {
        externalId: latest.id,
        title: latest.text.slice(0, 40),
        url: statusUrl(a.externalId, latest.id),
        publishedAt: latest.createdAt.toISOString(),
      },
    ];
  }

  /** Today's follower snapshot when today is in the range; Weibo keeps no history for earlier days. */
  async accountDailyMetrics(a: AccountRef, from: string, to: string): Promise<DailyAccountMetrics[]> {
    const today = shanghaiToday(this.now());
    if (today < from || today > to) return [];
    const u = await this.clientFor(a).usersShow(await this.tokenOf(a), a.externalId);
    return [
      {
        date: today,
        followers: u.followers,
        newFollowers: null,
        lostFollowers: null,
        reads: null,
        shares: null,
      },
    ];
  }

  metricDatasets() {
    return WEIBO_DATASETS;
  }

  /**
   * Weibo tells only the present: the followers count now, and the counts of given posts now. Both are
   * recorded under yesterday's date (the figure at the end of that day, as WeChat's totals are), and
   * only when the range reaches yesterday; a range in the past gets a note instead.
   */
  async collectMetrics(
    a: AccountRef,
    dataset: string,
    from: string,
    to: string,
    context: CollectContext,
  ): Promise<CollectedMetrics> {
    const yesterday = shanghaiDay(this.now() - DAY_MS);
    const out: CollectedMetrics = { accountDays: [], articleDays: [], notes: [] };
    if (dataset !== 'followers' && dataset !== 'posts')
      throw new Error(`unknown Weibo data set "${dataset}"`);
    if (from > yesterday || to < yesterday) {
      out.notes.push(
        dataset === 'followers'
          ? '微博不提供历史粉丝数：只能从开始接入的那天起每天记录。'
          : '微博不提供单条微博的历史数据：只能记录当前的转发、评论和点赞数。',
      );
      return out;
    }
    if (dataset === 'followers') {
      const u = await this.clientFor(a).usersShow(await this.tokenOf(a), a.externalId);
      out.accountDays.push({ date: yesterday, followers: u.followers });
      return out;
    }
    const since = this.now() - POST_COUNT_DAYS * DAY_MS;
    const recent = context.published.filter((p) => p.publishedAt.getTime() >= since);
    const titles = new Map(recent.map((p) => [p.externalId, p.title]));
    for (const c of await this.postCounts(
      a,
      recent.map((p) => p.externalId),
    ))
      out.articleDays.push({
        date: yesterday,
        externalArticleId: c.id,
        title: titles.get(c.id) ?? '',
        shares: c.reposts,
        comments: c.comments,
        likes: c.attitudes,
      });
    return out;
  }

  async articleMetrics(): Promise<never> {
    throw unsupported(
      'weibo',
      'daily article figures',
      '微博不提供按日的单条数据：转发、评论和点赞请用微博计数。',
    );
  }

  async postCounts(a: AccountRef, ids: string[]): Promise<PostCounts[]> {
    const client = this.clientFor(a);
    const token = await this.tokenOf(a);
    const out: PostCounts[] = [];
    for (let i = 0; i < ids.length; i += COUNT_BATCH)
      out.push(...(await client.statusesCount(token, ids.slice(i, i + COUNT_BATCH))));
    return out;
  }

  async customMenu(): Promise<never> {
    throw unsupported('weibo', 'custom menu', '微博账号没有自定义菜单。');
  }
}

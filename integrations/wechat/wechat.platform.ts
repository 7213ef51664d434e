import {
  type AccountRef,
  type Edition,
  type MediaLoader,
  type PlatformClient,
  type Publication,
  type PublishProgress,
  unsupported,
} from '../platform.js';
import { WECHAT_DATASETS, type WechatClient } from './wechat.client.js';

/** The platform interface for WeChat accounts: the AppID is the account's external id. */
export class WechatPlatform implements PlatformClient {
  readonly platform = 'wechat' as const;

  constructor(private readonly clientFor: (account: AccountRef) => WechatClient) {}

  verify(a: AccountRef) {
    return this.clientFor(a).verify(a.externalId);
  }

  publishEdition(
    a: AccountRef,
    edition: Edition,
    progress: PublishProgress,
    record: (p: PublishProgress) => Promise<void>,
    media: MediaLoader,
  ) {
    return this.clientFor(a).publishEdition(a.externalId, edition, progress, record, media);
  }

  async publishPost(): Promise<PublishProgress> {
    throw unsupported('wechat', 'Weibo posts', '公众号不能发布微博：请选择微博账号。');
  }

  publishState(a: AccountRef, progress: PublishProgress, content?: Publication) {
    const edition = content && 'articles' in content ? content : undefined;
    return this.clientFor(a).publishState(a.externalId, progress, edition);
  }

  listPublished(a: AccountRef, since: Date) {
    return this.clientFor(a).listPublished(a.externalId, since);
  }

  accountDailyMetrics(a: AccountRef, from: string, to: string) {
    return this.clientFor(a).accountDailyMetrics(a.externalId, from, to);
  }

  metricDatasets() {
    return WECHAT_DATASETS;
  }

  collectMetrics(a: AccountRef, dataset: string, from: string, to: string) {
    return this.clientFor(a).collectMetrics(a.externalId, dataset, from, to);
  }

  articleMetrics(a: AccountRef, date: string) {
    return this.clientFor(a).articleMetrics(a.externalId, date);
  }

  async postCounts(): Promise<never> {
    throw unsupported('wechat', 'post counts', '公众号文章的数据请查看每日文章统计。');
  }

  customMenu(a: AccountRef) {
    return this.clientFor(a).customMenu(a.externalId);
  }
}

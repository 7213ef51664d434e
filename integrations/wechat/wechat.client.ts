import { type CredentialCheck, PlatformError } from '../platform.js';
import type { WechatTokenHolder } from './token-holder.js';
import { wechatCall } from './wechat.http.js';

const yesterdayInShanghai = (now = Date.now()) =>
  new Date(now + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);

/** The WeChat side of the platform interface (growing issue by issue; publishing comes next). */
export class WechatClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: WechatTokenHolder,
  ) {}

  private call<T>(appid: string, path: string, body?: unknown, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    return this.tokens.withToken(appid, (token) =>
      wechatCall<T>(this.baseUrl, { method, path, query: { access_token: token }, body, idempotent: true }),
    );
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
    const problem = (check: string, err: unknown) => {
      if (!(err instanceof PlatformError)) throw err;
      result.problems.push({
        check,
        kind: err.kind,
        editorMessage: err.detail.editorMessage ?? err.message,
        ...(err.detail.code !== undefined ? { code: err.detail.code } : {}),
      });
      return err;
    };
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

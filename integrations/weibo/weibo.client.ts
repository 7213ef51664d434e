import {
  addProblem,
  type CredentialCheck,
  networkErrorCode,
  PlatformError,
  provablyUnsent,
} from '../platform.js';
import { weiboError } from './weibo.errors.js';
import { weiboPostProblem } from './weibo.text.js';

/** Weibo ids pass 2^53: quote every long integer before JSON.parse so none loses digits. */
const parseWithBigIds = (text: string) =>
  JSON.parse(text.replace(/([:[,]\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));

export const EXPIRY_WARNING_MS = 3 * 86_400_000;

export interface WeiboPost {
  text: string;
  picture?: { bytes: Buffer; filename: string } | undefined;
  /** The real IP of the person who posts (Weibo requires `rip`). */
  rip: string;
}

/** A typed client for the Weibo endpoints Yunying uses; ids are strings throughout. */
export class WeiboClient {
  constructor(
    private readonly baseUrl: string,
    private readonly safeDomains: readonly string[],
  ) {}

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    opts: { idempotent: boolean; form?: FormData },
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}/${path}`);
    let body: URLSearchParams | FormData | undefined;
    if (method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    else if (opts.form) {
      for (const [k, v] of Object.entries(params)) opts.form.append(k, v);
      body = opts.form;
    } else body = new URLSearchParams(params);
    let res: Response;
    try {
      res = await fetch(url, { method, body, signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      const code = networkErrorCode(err);
      const kind = provablyUnsent(err) || opts.idempotent ? 'transient' : 'unknown_outcome';
      throw new PlatformError(kind, 'weibo', `Weibo ${path}: ${code ?? (err as Error).name}`, {
        endpoint: path,
        editorMessage:
          kind === 'unknown_outcome'
            ? '与微博的连接在请求发出后中断，结果未知：系统将查询微博时间线确认，不会重复发送。'
            : '暂时无法连接微博，稍后将自动重试。',
      });
    }
    const text = await res.text().catch(() => '');
    let json: Record<string, unknown>;
    try {
      json = parseWithBigIds(text);
    } catch {
      throw new PlatformError(
        opts.idempotent || res.status < 500 ? 'transient' : 'unknown_outcome',
        'weibo',
        `Weibo ${path}: HTTP ${res.status}, not JSON`,
        { endpoint: path, code: res.status },
      );
    }
    if (json && typeof json === 'object' && 'error_code' in json)
      throw weiboError(String(json.error_code), String(json.error ?? ''), path);
    if (res.status >= 500)
      throw new PlatformError(
        opts.idempotent ? 'transient' : 'unknown_outcome',
        'weibo',
        `Weibo ${path}: HTTP ${res.status}`,
        { endpoint: path, code: res.status },
      );
    return json as T;
  }

  /** The checks Weibo would fail a post on, done first so the editor learns before anything is sent. */
  checkPost(text: string): void {
    const problem = weiboPostProblem(text, this.safeDomains);
    if (problem)
      throw new PlatformError('invalid_content', 'weibo', problem.message, {
        editorMessage: problem.editorMessage,
      });
  }

  async share(token: string, post: WeiboPost): Promise<{ id: string; createdAt: string }> {
    this.checkPost(post.text);
    let form: FormData | undefined;
    if (post.picture) {
      form = new FormData();
      form.append('pic', new Blob([post.picture.bytes]), post.picture.filename);
    }
    const r = await this.request<{ idstr?: string; id: string; created_at: string }>(
      'POST',
      '2/statuses/share.json',
      { access_token: token, status: post.text, rip: post.rip },
      { idempotent: false, ...(form ? { form } : {}) },
    );
    return { id: String(r.idstr ?? r.id), createdAt: r.created_at };
  }

  /** The user's counts and newest post (`latest`), which settles a share whose answer was lost. */
  async usersShow(
    token: string,
    uid: string,
  ): Promise<{
    uid: string;
    followers: number;
    statuses: number;
    screenName: string;
    latest: { id: string; text: string; createdAt: Date } | null;
  }> {
    const r = await this.request<{
      id: string;
      followers_count: number;
      statuses_count: number;
      screen_name: string;
      status?: { id: string; idstr?: string; text: string; created_at: string };
    }>('GET', '2/users/show.json', { access_token: token, uid }, { idempotent: true });
    return {
      uid: String(r.id),
      followers: Number(r.followers_count),
      statuses: Number(r.statuses_count),
      screenName: r.screen_name,
      latest: r.status
        ? {
            id: String(r.status.idstr ?? r.status.id),
            text: r.status.text,
            createdAt: new Date(r.status.created_at),
          }
        : null,
    };
  }

  async statusesCount(
    token: string,
    ids: string[],
  ): Promise<Array<{ id: string; comments: number; reposts: number; attitudes: number }>> {
    const r = await this.request<Array<{ id: string; comments: number; reposts: number; attitudes: number }>>(
      'GET',
      '2/statuses/count.json',
      { access_token: token, ids: ids.join(',') },
      { idempotent: true },
    );
    return r.map((x) => ({
      id: String(x.id),
      comments: Number(x.comments),
      reposts: Number(x.reposts),
      attitudes: Number(x.attitudes),
    }));
  }

  async tokenInfo(token: string, now = Date.now()): Promise<{ uid: string; expiresAt: Date }> {
    const r = await this.request<{ uid: string; expire_in?: number; expires_in?: number }>(
      'POST',
      'oauth2/get_token_info',
      { access_token: token },
      { idempotent: true },
    );
    return { uid: String(r.uid), expiresAt: new Date(now + Number(r.expire_in ?? r.expires_in ?? 0) * 1000) };
  }

  /** Token (and its remaining life), the account it belongs to, and the follower read for analytics. */
  async verify(token: string, uid: string): Promise<CredentialCheck & { expiresAt: Date | null }> {
    const result: CredentialCheck & { expiresAt: Date | null } = {
      token: false,
      ipWhitelist: null,
      publishing: null,
      analytics: null,
      problems: [],
      expiresAt: null,
    };
    const problem = (check: string, err: unknown) => addProblem(result, check, err);
    try {
      const info = await this.tokenInfo(token);
      result.expiresAt = info.expiresAt;
      if (info.uid !== uid) {
        result.problems.push({
          check: 'token',
          kind: 'reauth',
          editorMessage: `该授权属于微博用户 ${info.uid}，不是本账号 ${uid}：请用正确的微博账号授权。`,
        });
        return result;
      }
      result.token = true;
      if (info.expiresAt.getTime() - Date.now() < EXPIRY_WARNING_MS)
        result.problems.push({
          check: 'token',
          kind: 'auth',
          editorMessage: `微博授权将于 ${info.expiresAt.toISOString().slice(0, 10)} 过期：请尽快重新授权。`,
        });
    } catch (err) {
      problem('token', err);
      return result;
    }
    try {
      await this.usersShow(token, uid);
      result.analytics = true;
    } catch (err) {
      problem('analytics', err);
      result.analytics = false;
    }
    return result;
  }
}

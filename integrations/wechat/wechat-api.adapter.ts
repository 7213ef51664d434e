import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import formstream from 'formstream';
import WechatAPI, { type Callback, type RequestOptions } from 'wechat-api';
import { postJSON, wrapper } from 'wechat-api/lib/util.js';
import { PlatformError } from '../platform.js';
import { wechatError } from './wechat.errors.js';

/**
 * The typed promise adapter around `wechat-api` (DESIGN decision 5). wechat-api brings the endpoint
 * knowledge and the HTTP layer (urllib); we bring the token and the error kinds:
 *
 * - Tokens come from our Redis holder. The adapter calls wechat-api's unwrapped methods (`_name`,
 *   its own "未封装版本"), which use `this.token` as given, so wechat-api never fetches a token with
 *   `cgi-bin/token` and never blindly repeats a call after a 40001.
 * - `endpoint` is set to WECHAT_API_BASE, so the emulator and the real platform differ only in URL.
 * - What 1.35 lacks (stable_token, draft, freepublish, the 2025 datacube endpoints, uploads from
 *   memory) is added through `WechatAPI.mixin`, its extension point, in the same unwrapped style.
 * - Every failure becomes a PlatformError; urllib's messages (which carry the URL with the
 *   access_token) never leave this file.
 */

/** Datacube endpoints wechat-api 1.35 knows (its method names) and the 2025 ones we add. */
const LEGACY_DATACUBE = {
  getusersummary: '_getUserSummary',
  getusercumulate: '_getUserCumulate',
  getuserread: '_getUserRead',
  getusershare: '_getUserShare',
  getarticlesummary: '_getArticleSummary',
  getarticletotal: '_getArticleTotal',
} as const;
const NEW_DATACUBE = ['getarticleread', 'getarticleshare', 'getbizsummary', 'getarticletotaldetail'] as const;
export type DatacubeEndpoint = keyof typeof LEGACY_DATACUBE | (typeof NEW_DATACUBE)[number];
const isLegacy = (name: DatacubeEndpoint): name is keyof typeof LEGACY_DATACUBE => name in LEGACY_DATACUBE;

type Unwrapped = (this: WechatAPI, ...args: never[]) => void;
const withToken = (api: WechatAPI, path: string, query = '') =>
  `${api.endpoint}/${path}?access_token=${encodeURIComponent(api.token.accessToken)}${query}`;

function upload(api: WechatAPI, url: string, bytes: Buffer, filename: string, cb: Callback): void {
  const form = formstream().buffer('media', bytes, filename);
  api.request(
    url,
    { dataType: 'json', type: 'POST', timeout: 60_000, headers: form.headers(), stream: form },
    wrapper(cb),
  );
}

const EXTENSIONS: Record<string, Unwrapped> = {
  _stableToken(this: WechatAPI, body: unknown, cb: Callback) {
    this.request(`${this.endpoint}/cgi-bin/stable_token`, postJSON(body), wrapper(cb));
  },
  _jsonCall(this: WechatAPI, path: string, method: 'GET' | 'POST', body: unknown, cb: Callback) {
    const opts: RequestOptions =
      method === 'GET' ? { dataType: 'json', type: 'GET' } : postJSON(body === undefined ? {} : body);
    this.request(withToken(this, path), opts, wrapper(cb));
  },
  _uploadImageBuffer(this: WechatAPI, bytes: Buffer, filename: string, cb: Callback) {
    upload(this, withToken(this, 'cgi-bin/media/uploadimg'), bytes, filename, cb);
  },
  _uploadMaterialBuffer(this: WechatAPI, type: string, bytes: Buffer, filename: string, cb: Callback) {
    upload(this, withToken(this, 'cgi-bin/material/add_material', `&type=${type}`), bytes, filename, cb);
  },
};
for (const [path, name] of [
  ['cgi-bin/draft/add', '_addDraft'],
  ['cgi-bin/draft/delete', '_deleteDraft'],
  ['cgi-bin/freepublish/submit', '_freepublishSubmit'],
  ['cgi-bin/freepublish/get', '_freepublishGet'],
  ['cgi-bin/freepublish/batchget', '_freepublishBatchget'],
  ...NEW_DATACUBE.map((n) => [`datacube/${n}`, `_${n}`]),
] as const)
  EXTENSIONS[name] = function (this: WechatAPI, body: unknown, cb: Callback) {
    this.request(withToken(this, path), postJSON(body), wrapper(cb));
  };
// The module may be evaluated more than once in one process (test isolation), wechat-api only once.
if (!('_stableToken' in WechatAPI.prototype)) WechatAPI.mixin(EXTENSIONS);

/** One keep-alive pool per process: urllib's default agent opens a connection per call. */
const agents = {
  agent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

/** Connection errors proving the request never reached the platform (safe to repeat any call). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface CallOptions {
  /** Safe to repeat (a read, a token call, a draft): a lost answer is then just transient. */
  idempotent: boolean;
  /** Errcodes that are an answer, not a failure (45065: this clientmsgid was already sent). */
  acceptCodes?: readonly number[];
  timeoutMs?: number;
}

type JsonPost = (body: unknown, cb: Callback) => void;
/** What the mixin adds to wechat-api's prototype. */
type Extended = WechatAPI & {
  _stableToken: JsonPost;
  _jsonCall(path: string, method: 'GET' | 'POST', body: unknown, cb: Callback): void;
  _uploadImageBuffer(bytes: Buffer, filename: string, cb: Callback): void;
  _uploadMaterialBuffer(type: string, bytes: Buffer, filename: string, cb: Callback): void;
  _addDraft: JsonPost;
  _deleteDraft: JsonPost;
  _freepublishSubmit: JsonPost;
  _freepublishGet: JsonPost;
  _freepublishBatchget: JsonPost;
} & { [K in `_${(typeof NEW_DATACUBE)[number]}`]: JsonPost };
type Invoke = (api: Extended, cb: Callback) => void;

export class WechatApiAdapter {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {}

  private run<T>(endpoint: string, token: string, o: CallOptions, invoke: Invoke): Promise<T> {
    const api = new WechatAPI('', '', noStoredToken, noSave);
    api.endpoint = this.baseUrl.replace(/\/$/, '');
    api.token = new WechatAPI.AccessToken(token, Number.POSITIVE_INFINITY);
    api.setOpts({ timeout: o.timeoutMs ?? this.timeoutMs, ...agents });
    return new Promise<T>((resolve, reject) => {
      invoke(api as never, (err, data, res) => {
        try {
          resolve(settle(endpoint, o, err, data, res?.status ?? -1) as T);
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** Any JSON endpoint under the base URL, with the token (the generic path; tests use it too). */
  call<T>(token: string, path: string, body: unknown, o: CallOptions & { method?: 'GET' | 'POST' }) {
    return this.run<T>(path, token, o, (api, cb) => api._jsonCall(path, o.method ?? 'POST', body, cb));
  }

  stableToken(appid: string, secret: string, forceRefresh: boolean) {
    return this.run<{ access_token: string; expires_in: number }>(
      'cgi-bin/stable_token',
      '',
      { idempotent: true },
      (api, cb) =>
        api._stableToken({ grant_type: 'client_credential', appid, secret, force_refresh: forceRefresh }, cb),
    );
  }

  async uploadImage(token: string, bytes: Buffer, filename: string): Promise<string> {
    const r = await this.run<{ url: string }>('cgi-bin/media/uploadimg', token, uploadOpts, (api, cb) =>
      api._uploadImageBuffer(bytes, filename, cb),
    );
    return r.url;
  }

  async uploadThumb(token: string, bytes: Buffer, filename: string): Promise<string> {
    const r = await this.run<{ media_id: string }>(
      'cgi-bin/material/add_material',
      token,
      uploadOpts,
      (api, cb) => api._uploadMaterialBuffer('thumb', bytes, filename, cb),
    );
    return r.media_id;
  }

  // A repeated draft/add leaves an unused draft, nothing a follower sees: safe to retry.
  async addDraft(token: string, articles: unknown[]): Promise<string> {
    const r = await this.run<{ media_id: string }>(
      'cgi-bin/draft/add',
      token,
      { idempotent: true },
      (api, cb) => api._addDraft({ articles }, cb),
    );
    return r.media_id;
  }

  deleteDraft(token: string, mediaId: string) {
    return this.run('cgi-bin/draft/delete', token, { idempotent: true }, (api, cb) =>
      api._deleteDraft({ media_id: mediaId }, cb),
    );
  }

  /**
   * Mass send of a draft to all followers (wechat-api's own massSend). Never retried blindly: a lost
   * answer is unknown_outcome, and `clientmsgid` makes the platform refuse a duplicate with 45065 and
   * the earlier msg_id, which is an answer here, not a failure.
   */
  async massSendAll(token: string, draftMediaId: string, clientMsgId: string) {
    const r = await this.run<{ msg_id: number | string; msg_data_id?: number | string }>(
      'cgi-bin/message/mass/sendall',
      token,
      { idempotent: false, acceptCodes: [45065] },
      (api, cb) =>
        api._massSend(
          {
            mpnews: { media_id: draftMediaId },
            msgtype: 'mpnews',
            send_ignore_reprint: 0,
            clientmsgid: clientMsgId,
          },
          true,
          cb,
        ),
    );
    return { msgId: String(r.msg_id), msgDataId: r.msg_data_id === undefined ? null : String(r.msg_data_id) };
  }

  async massStatus(token: string, msgId: string): Promise<string> {
    const r = await this.run<{ msg_status: string }>(
      'cgi-bin/message/mass/get',
      token,
      { idempotent: true },
      (api, cb) => api._getMassMessageStatus(msgId, cb),
    );
    return r.msg_status;
  }

  async freepublishSubmit(token: string, draftMediaId: string) {
    const r = await this.run<{ publish_id: string | number; msg_data_id?: string | number }>(
      'cgi-bin/freepublish/submit',
      token,
      { idempotent: false },
      (api, cb) => api._freepublishSubmit({ media_id: draftMediaId }, cb),
    );
    return {
      publishId: String(r.publish_id),
      msgDataId: r.msg_data_id === undefined ? null : String(r.msg_data_id),
    };
  }

  freepublishGet(token: string, publishId: string) {
    return this.run<{
      publish_status: number;
      article_id?: string;
      article_detail?: { item: Array<{ article_url: string }> };
      fail_idx?: number[];
    }>('cgi-bin/freepublish/get', token, { idempotent: true }, (api, cb) =>
      api._freepublishGet({ publish_id: publishId }, cb),
    );
  }

  freepublishBatchget(token: string, offset: number, count: number) {
    return this.run<{
      total_count: number;
      item: Array<{
        article_id: string;
        update_time: number;
        content: { news_item: Array<{ title: string; url: string }> };
      }>;
    }>('cgi-bin/freepublish/batchget', token, { idempotent: true }, (api, cb) =>
      api._freepublishBatchget({ offset, count, no_content: 1 }, cb),
    );
  }

  /** One datacube call over [begin, end]; the caller keeps to the endpoint's span and T+1. */
  datacube<Row>(token: string, name: DatacubeEndpoint, begin: string, end: string) {
    return this.run<{ list: Row[]; is_delay?: boolean }>(
      `datacube/${name}`,
      token,
      { idempotent: true },
      (api, cb) =>
        isLegacy(name)
          ? api[LEGACY_DATACUBE[name]](begin, end, cb)
          : api[`_${name}`]({ begin_date: begin, end_date: end }, cb),
    );
  }

  menu(token: string) {
    return this.run<unknown>('cgi-bin/get_current_selfmenu_info', token, { idempotent: true }, (api, cb) =>
      api._getMenuConfig(cb),
    );
  }
}

const uploadOpts: CallOptions = { idempotent: true, timeoutMs: 60_000 };

function noStoredToken(cb: Callback<null>) {
  cb(null, null, undefined);
}
function noSave(_token: unknown, cb: (err: Error | null) => void) {
  cb(null);
}

/** wechat-api's callback → the data, or a PlatformError of the right kind. */
function settle(
  endpoint: string,
  o: CallOptions,
  err: (Error & { code?: number | string }) | null,
  data: unknown,
  status: number,
): unknown {
  const fail = (
    kind: 'transient' | 'unknown_outcome' | 'rate_limited',
    what: string,
    editorMessage: string,
  ) =>
    new PlatformError(kind, 'wechat', `WeChat ${endpoint}: ${what}`, {
      endpoint,
      ...(status > 0 ? { code: status } : {}),
      editorMessage,
    });
  const mayHaveHappened = o.idempotent ? 'transient' : 'unknown_outcome';
  if (status === 429) throw fail('rate_limited', 'HTTP 429', '微信接口调用过于频繁，稍后将自动重试。');
  if (status >= 500) throw fail(mayHaveHappened, `HTTP ${status}`, '微信服务暂时不可用，稍后将自动处理。');
  if (
    err &&
    typeof err.code === 'number' &&
    data !== null &&
    data !== undefined &&
    typeof data === 'object'
  ) {
    if (o.acceptCodes?.includes(err.code)) return data;
    throw wechatError(err.code, err.message, endpoint);
  }
  if (err && /JSONResponseFormatError$/.test(err.name))
    throw fail(mayHaveHappened, `HTTP ${status}, not JSON`, '微信返回了无法识别的应答，稍后将自动处理。');
  if (err || data === null || data === undefined) {
    const code = typeof err?.code === 'string' ? err.code : undefined;
    const unsent =
      (code !== undefined && NOT_SENT.has(code)) || /ConnectionTimeoutError$/.test(err?.name ?? '');
    const kind = unsent ? 'transient' : mayHaveHappened;
    throw fail(
      kind,
      `${(err?.name ?? 'empty response').replace(/^WeChatAPI/, '')}${code ? ` ${code}` : ''}`,
      kind === 'unknown_outcome'
        ? '与微信的连接在请求发出后中断，结果未知：系统将向微信查询结果，不会重复发送。'
        : '暂时无法连接微信，稍后将自动重试。',
    );
  }
  return data;
}

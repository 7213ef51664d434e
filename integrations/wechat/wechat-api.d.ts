// The parts of wechat-api 1.35 (CommonJS, callbacks, no types) that the adapter uses.

declare module 'wechat-api' {
  import type { Agent } from 'node:http';

  export type Callback<T = unknown> = (
    err: (Error & { code?: number | string }) | null,
    data: T,
    res: { status: number } | undefined,
  ) => void;

  export interface RequestOptions {
    dataType?: 'json' | 'text';
    type?: 'GET' | 'POST';
    data?: unknown;
    headers?: Record<string, string>;
    stream?: NodeJS.ReadableStream;
    timeout?: number | [number, number];
    agent?: Agent;
  }

  class AccessToken {
    constructor(accessToken: string, expireTime: number);
    accessToken: string;
    expireTime: number;
  }

  class WechatAPI {
    constructor(
      appid: string,
      appsecret: string,
      getToken?: (cb: Callback<AccessToken | null>) => void,
      saveToken?: (token: AccessToken, cb: (err: Error | null) => void) => void,
    );
    static AccessToken: typeof AccessToken;
    static mixin(methods: Record<string, (this: WechatAPI, ...args: never[]) => void>): void;
    endpoint: string;
    token: AccessToken;
    setOpts(opts: RequestOptions): void;
    request(url: string, opts: RequestOptions, cb: Callback): void;
    // Unwrapped ("未封装") methods: they call the platform with `this.token` and no token logic.
    _getUserSummary(begin: string, end: string, cb: Callback): void;
    _getUserCumulate(begin: string, end: string, cb: Callback): void;
    _getUserRead(begin: string, end: string, cb: Callback): void;
    _getUserShare(begin: string, end: string, cb: Callback): void;
    _getArticleSummary(begin: string, end: string, cb: Callback): void;
    _getArticleTotal(begin: string, end: string, cb: Callback): void;
    _getMassMessageStatus(msgId: string, cb: Callback): void;
    _massSend(opts: Record<string, unknown>, receivers: boolean, cb: Callback): void;
    _getMenuConfig(cb: Callback): void;
  }
  export default WechatAPI;
}

declare module 'wechat-api/lib/util.js' {
  import type { Callback, RequestOptions } from 'wechat-api';
  export function postJSON(data: unknown): RequestOptions;
  export function wrapper(cb: Callback): Callback;
}

declare module 'formstream' {
  interface FormStream extends NodeJS.ReadableStream {
    buffer(name: string, buffer: Buffer, filename: string, mimeType?: string): FormStream;
    headers(): Record<string, string>;
  }
  function formstream(): FormStream;
  export default formstream;
}

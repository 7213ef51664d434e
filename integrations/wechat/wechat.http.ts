import { networkErrorCode, PlatformError, provablyUnsent } from '../platform.js';
import { wechatError } from './wechat.errors.js';

export interface WechatRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** A multipart upload (media/uploadimg, material/add_material) instead of a JSON body. */
  form?: FormData;
  /** Safe to repeat (a read, or a token call): a lost response is then just transient. */
  idempotent: boolean;
  timeoutMs?: number;
  /** Errcodes that are an answer, not a failure (45065: this clientmsgid was already sent). */
  acceptCodes?: readonly number[];
}

/**
 * One call to a WeChat endpoint under `baseUrl` (WECHAT_API_BASE). Every failure becomes a
 * PlatformError: errcodes by the table, HTTP 5xx and network failures as `transient` when nothing can
 * have happened (or the call is idempotent), otherwise `unknown_outcome`.
 */
export async function wechatCall<T>(baseUrl: string, req: WechatRequest): Promise<T> {
  const url = new URL(`${baseUrl}/${req.path.replace(/^\//, '')}`);
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  const endpoint = req.path.replace(/^\//, '');
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers: req.body === undefined ? {} : { 'content-type': 'application/json' },
      body: req.form ?? (req.body === undefined ? undefined : JSON.stringify(req.body)),
      signal: AbortSignal.timeout(req.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const code = networkErrorCode(err);
    const sent = !provablyUnsent(err);
    const kind = sent && !req.idempotent ? 'unknown_outcome' : 'transient';
    throw new PlatformError(
      kind,
      'wechat',
      `WeChat ${endpoint}: ${code ?? (err as Error).name} ${(err as Error).message}`,
      {
        endpoint,
        editorMessage:
          kind === 'unknown_outcome'
            ? '与微信的连接在请求发出后中断，结果未知：系统将向微信查询结果，不会重复发送。'
            : '暂时无法连接微信，稍后将自动重试。',
      },
    );
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 500 || res.status === 429) {
    throw new PlatformError(
      res.status === 429 ? 'rate_limited' : req.idempotent ? 'transient' : 'unknown_outcome',
      'wechat',
      `WeChat ${endpoint}: HTTP ${res.status}`,
      {
        endpoint,
        code: res.status,
        editorMessage: '微信服务暂时不可用，稍后将自动处理。',
      },
    );
  }
  let json: { errcode?: number; errmsg?: string } & Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PlatformError(
      req.idempotent ? 'transient' : 'unknown_outcome',
      'wechat',
      `WeChat ${endpoint}: HTTP ${res.status}, not JSON`,
      {
        endpoint,
        code: res.status,
      },
    );
  }
  if (typeof json.errcode === 'number' && json.errcode !== 0)
    throw wechatError(json.errcode, json.errmsg ?? '', endpoint);
  return json as T;
}

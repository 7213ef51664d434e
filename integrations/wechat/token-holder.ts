import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { PlatformError } from '../platform.js';
import { WechatApiAdapter } from './wechat-api.adapter.js';

export interface TokenHolderOptions {
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  /** WECHAT_API_BASE. */
  baseUrl: string;
  /** The AppSecret of an AppID (decrypted only here, never cached, never logged). */
  secretOf: (appid: string) => Promise<string>;
  now?: () => number;
  /** How long one process may hold the refresh lock. */
  lockTtlMs?: number;
  /** How long a caller waits for another process's refresh. */
  waitTimeoutMs?: number;
}

interface Cached {
  token: string;
  expiresAt: number;
}

/** The platform renews a stable token 5 minutes before expiry; we refresh when less than that remains. */
export const REFRESH_BEFORE_MS = 5 * 60_000;
const FORCE_PER_DAY = 20;
const FORCE_SPACING_MS = 30_000;
const MEMO_MS = 5_000;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * The one holder of WeChat access tokens (DESIGN decision 5): one token per AppID in Redis, fetched
 * with `cgi-bin/stable_token` in normal mode, refreshed when under 5 minutes remain, single-flight across
 * every process (a Redis lock; the others wait for the cached result), and `force_refresh` only after
 * the same token was refused twice — at most 20 times a Shanghai day and 30 s apart.
 */
export class WechatTokenHolder {
  private readonly now: () => number;
  private readonly lockTtlMs: number;
  private readonly waitTimeoutMs: number;

  private readonly api: WechatApiAdapter;
  /**
   * The last token read from Redis, kept for MEMO_MS so a busy process does not ask Redis on every
   * call. A token another process replaced meanwhile is still valid (stable_token keeps the old one
   * until its expiry); one that was revoked comes back as 40001 and `replaceRefused` drops the memo.
   */
  private readonly memo = new Map<string, { c: Cached; until: number }>();

  constructor(private readonly o: TokenHolderOptions) {
    this.api = new WechatApiAdapter(o.baseUrl);
    this.now = o.now ?? Date.now;
    this.lockTtlMs = o.lockTtlMs ?? 10_000;
    this.waitTimeoutMs = o.waitTimeoutMs ?? 20_000;
  }

  private key(kind: string, appid: string): string {
    return `${this.o.prefix}:wx:${kind}:${appid}`;
  }

  private async cached(appid: string): Promise<Cached | null> {
    const raw = await this.o.redis.get(this.key('token', appid));
    const c = raw ? (JSON.parse(raw) as Cached) : null;
    if (c) this.memo.set(appid, { c, until: this.now() + MEMO_MS });
    return c;
  }

  private usable(c: Cached | null, refused?: string): c is Cached {
    return c !== null && c.expiresAt - this.now() > REFRESH_BEFORE_MS && c.token !== refused;
  }

  /** A token with more than 5 minutes left. */
  async token(appid: string): Promise<string> {
    const m = this.memo.get(appid);
    if (m && m.until > this.now() && this.usable(m.c)) return m.c.token;
    const c = await this.cached(appid);
    if (this.usable(c)) return c.token;
    return this.refresh(appid, { force: false });
  }

  /**
   * After the platform refused `token` (40001/42001/40014): the first refusal fetches normally (another
   * process may already hold the newer token); a second refusal of the same token forces a new one.
   */
  async replaceRefused(appid: string, token: string): Promise<string> {
    this.memo.delete(appid);
    const mark = this.key('refused', appid);
    const repeated = (await this.o.redis.get(mark)) === token;
    await this.o.redis.set(mark, token, 'PX', 10 * 60_000);
    if (!repeated) {
      const c = await this.cached(appid);
      if (this.usable(c, token)) return c.token;
      return this.refresh(appid, { force: false, refused: token });
    }
    return this.refresh(appid, { force: true, refused: token });
  }

  /** Runs a call with a token; on a token refusal gets another and retries, at most twice. */
  async withToken<T>(appid: string, call: (token: string) => Promise<T>): Promise<T> {
    let token = await this.token(appid);
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(token);
      } catch (err) {
        if (!(err instanceof PlatformError) || err.kind !== 'auth' || attempt >= 2) throw err;
        token = await this.replaceRefused(appid, token);
      }
    }
  }

  private async refresh(appid: string, opts: { force: boolean; refused?: string }): Promise<string> {
    const lockKey = this.key('lock', appid);
    const deadline = this.now() + this.waitTimeoutMs;
    while (this.now() < deadline) {
      const c = await this.cached(appid);
      if (this.usable(c, opts.refused)) return c.token;
      const owner = randomUUID();
      if ((await this.o.redis.set(lockKey, owner, 'PX', this.lockTtlMs, 'NX')) === 'OK') {
        try {
          const again = await this.cached(appid);
          if (this.usable(again, opts.refused)) return again.token;
          return await this.fetch(appid, opts.force);
        } finally {
          await this.o.redis.eval(RELEASE, 1, lockKey, owner);
        }
      }
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
    }
    throw new PlatformError('transient', 'wechat', `timed out waiting for the token of ${appid}`, {
      editorMessage: '获取微信调用凭证超时，稍后将自动重试。',
    });
  }

  private async fetch(appid: string, force: boolean): Promise<string> {
    if (force) await this.takeForceAllowance(appid);
    const r = await this.api.stableToken(appid, await this.o.secretOf(appid), force);
    const entry: Cached = { token: r.access_token, expiresAt: this.now() + r.expires_in * 1000 };
    const ttl = Math.max(1000, entry.expiresAt - this.now());
    await this.o.redis.set(this.key('token', appid), JSON.stringify(entry), 'PX', ttl);
    this.memo.set(appid, { c: entry, until: this.now() + MEMO_MS });
    return entry.token;
  }

  /** Counts a forced refresh against the platform's allowance (20 a day, 30 s apart), or refuses it. */
  private async takeForceAllowance(appid: string): Promise<void> {
    const day = new Date(this.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const spacing = await this.o.redis.set(this.key('force-gap', appid), '1', 'PX', FORCE_SPACING_MS, 'NX');
    if (spacing !== 'OK')
      throw new PlatformError(
        'rate_limited',
        'wechat',
        'forced token refresh less than 30 s after the last',
        {
          retryAfterMs: FORCE_SPACING_MS,
          editorMessage: '调用凭证刷新过于频繁，稍后将自动重试。',
        },
      );
    const countKey = this.key(`force-count-${day}`, appid);
    const count = await this.o.redis.incr(countKey);
    if (count === 1) await this.o.redis.pexpire(countKey, 2 * 86_400_000);
    if (count > FORCE_PER_DAY)
      throw new PlatformError('quota_exhausted', 'wechat', 'forced token refreshes used up for today', {
        editorMessage: '今日强制刷新调用凭证的次数已用完（每天 20 次），明日自动恢复。',
      });
  }
}

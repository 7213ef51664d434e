import { randomBytes } from 'node:crypto';

/**
 * State of the platform emulator: WeChat apps with their secrets, IP whitelists and tokens, the knobs
 * for latency and injected faults, and counters that tests read. Plain data, one instance per emulator.
 */

export interface WechatToken {
  token: string;
  expiresAt: number;
}

export interface WechatApp {
  appid: string;
  secret: string;
  name: string;
  kind: 'subscription' | 'service';
  verified: boolean;
  /** null: any caller address is accepted. */
  ipWhitelist: string[] | null;
  current: WechatToken | null;
  /** The token before a normal-mode renewal stays valid until its own expiry (5-minute overlap). */
  previous: WechatToken | null;
  forceRefreshDay: string;
  forceRefreshCount: number;
  lastForceRefreshAt: number;
  menu: unknown;
  /** Mixed into every generated figure: another seed, another (still deterministic) series. */
  metricsSeed: string;
  /** Successful publishes per Shanghai day: metrics respond to them. */
  publishDays: Map<string, number>;
  /** What was published, for per-article statistics (msgid = msg_data_id_index). */
  published: Array<{ day: string; msgDataId: string; titles: string[] }>;
  /**
   * Days before this one get generated articles (one to three a day) as if the account had published
   * before Yunying existed: backfills then have per-article rows. null: only real publishes.
   */
  historyArticlesUntil: string | null;
}

/** Faults injected into the next calls: by rate (0–1), or exactly the next `n` calls. */
export interface FaultKnobs {
  latencyMs: number;
  rates: Partial<Record<FaultKind, number>>;
  /** Queued one-shot faults, consumed in order by matching calls. */
  queued: Array<{ kind: FaultKind; path?: string }>;
  /** Exact responses for the next call to a path (contract tests replay the documented examples). */
  canned: Array<{ path: string; status?: number; body: string }>;
}

export type FaultKind =
  | 'system_error'
  | 'quota_45009'
  | 'invalid_token_40001'
  | 'http_5xx'
  | 'timeout'
  | 'lost_response';

export interface EmulatorStats {
  tokenFetches: number;
  forceRefreshes: number;
  requests: number;
}

export const TOKEN_TTL_SECONDS = 7200;
/** stable_token normal mode renews the token when less than this remains (the platform's "提前 5 分钟"). */
export const RENEW_BEFORE_MS = 5 * 60_000;

export class EmulatorState {
  readonly wechat = new Map<string, WechatApp>();
  readonly knobs: FaultKnobs = { latencyMs: 0, rates: {}, queued: [], canned: [] };
  readonly stats: EmulatorStats = { tokenFetches: 0, forceRefreshes: 0, requests: 0 };
  /** Time source; tests move it forward to expire tokens. */
  now: () => number = Date.now;
  /** Deterministic-enough randomness for fault rates; tests set rates 0 or 1, or queue faults. */
  random: () => number = Math.random;

  /** @param metricsSeed the default seed of generated metrics ('' keeps the standard series). */
  constructor(readonly metricsSeed = '') {}

  addWechatApp(app: Partial<WechatApp> & { appid: string; secret: string }): WechatApp {
    const full: WechatApp = {
      name: app.name ?? app.appid,
      kind: app.kind ?? 'subscription',
      verified: app.verified ?? true,
      ipWhitelist: app.ipWhitelist ?? null,
      current: null,
      previous: null,
      forceRefreshDay: '',
      forceRefreshCount: 0,
      lastForceRefreshAt: 0,
      menu: app.menu ?? defaultMenu(),
      metricsSeed: this.metricsSeed,
      publishDays: new Map(),
      published: [],
      historyArticlesUntil: null,
      ...app,
    };
    this.wechat.set(app.appid, full);
    return full;
  }

  issueToken(app: WechatApp): WechatToken {
    app.previous = app.current;
    app.current = {
      token: `emu_${randomBytes(24).toString('base64url')}`,
      expiresAt: this.now() + TOKEN_TTL_SECONDS * 1000,
    };
    return app.current;
  }

  /** Which app a token belongs to, and whether it is still accepted. */
  checkToken(token: string | undefined): { app: WechatApp } | { errcode: 40001 | 42001 | 41001 } {
    if (!token) return { errcode: 41001 };
    for (const app of this.wechat.values()) {
      for (const t of [app.current, app.previous]) {
        if (t?.token === token) return t.expiresAt > this.now() ? { app } : { errcode: 42001 };
      }
    }
    return { errcode: 40001 };
  }

  /** The next fault for a call to `path`, if any (queued first, then by rate). */
  takeFault(path: string): FaultKind | null {
    const i = this.knobs.queued.findIndex((f) => !f.path || f.path === path);
    if (i >= 0) return (this.knobs.queued.splice(i, 1)[0] as { kind: FaultKind }).kind;
    for (const [kind, rate] of Object.entries(this.knobs.rates) as Array<[FaultKind, number]>)
      if (rate > 0 && this.random() < rate) return kind;
    return null;
  }
}

function defaultMenu(): unknown {
  return {
    is_menu_open: 1,
    selfmenu_info: {
      button: [
        { type: 'view', name: '开奖公告', url: 'https://example.gov.cn/draws' },
        { name: '服务', sub_button: { list: [{ type: 'click', name: '联系我们', key: 'CONTACT' }] } },
      ],
    },
  };
}

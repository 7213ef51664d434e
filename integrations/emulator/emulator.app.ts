import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { datacubeRoutes } from './datacube.routes.js';
import { EmulatorState, type FaultKind, RENEW_BEFORE_MS } from './emulator.state.js';
import { wechatPublishRoutes } from './wechat-publish.routes.js';
import { type WeiboState, weiboRoutes, weiboState } from './weibo.routes.js';

/**
 * A faithful stand-in for the WeChat (and, later, Weibo) endpoints Yunying calls: same paths, bodies,
 * JSON shapes and error codes as ../shared/reference/wechat-weibo-api.md, with state (tokens that
 * expire and are replaced), latency and fault injection. Administration lives under `/_emulator`.
 */

const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

function wxError(errcode: number, errmsg: string) {
  return { errcode, errmsg: `${errmsg} rid: ${Math.random().toString(16).slice(2, 10)}` };
}

const FAULT_BODIES: Partial<Record<FaultKind, { errcode: number; errmsg: string }>> = {
  system_error: { errcode: -1, errmsg: 'system error' },
  quota_45009: { errcode: 45009, errmsg: 'reach max api daily quota limit' },
  invalid_token_40001: {
    errcode: 40001,
    errmsg: 'invalid credential, access_token is invalid or not latest',
  },
};

const TOKEN_ERRORS = {
  40001: 'invalid credential, access_token is invalid or not latest',
  42001: 'access_token expired',
  41001: 'access_token missing',
} as const;

export interface EmulatorApp {
  app: FastifyInstance;
  state: EmulatorState;
  weibo: WeiboState;
}

export function buildEmulator(state = new EmulatorState()): EmulatorApp {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const weibo = weiboState();

  /**
   * Latency and faults for every platform call. `timeout` never answers; `lost_response` lets the
   * handler take effect and then drops the connection, as when a response is lost on the way back.
   */
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_emulator')) return;
    state.stats.requests++;
    if (state.knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, state.knobs.latencyMs));
    const path = request.url.split('?')[0] ?? '';
    const cannedAt = state.knobs.canned.findIndex((c) => c.path === path);
    if (cannedAt >= 0) {
      const c = state.knobs.canned.splice(cannedAt, 1)[0] as { status?: number; body: string };
      return reply
        .status(c.status ?? 200)
        .type('application/json')
        .send(c.body);
    }
    const fault = state.takeFault(path);
    if (!fault) return;
    if (fault === 'lost_response') {
      (request as FastifyRequest & { lostResponse?: boolean }).lostResponse = true;
      return;
    }
    if (fault === 'timeout') {
      // Never answers: the connection stays open until the client gives up (or the emulator closes).
      reply.hijack();
      await new Promise((r) => request.raw.socket.once('close', r));
      return;
    }
    if (fault === 'http_5xx') return reply.status(502).type('text/html').send('<html>502 Bad Gateway</html>');
    return reply.send(
      wxError(FAULT_BODIES[fault]?.errcode ?? -1, FAULT_BODIES[fault]?.errmsg ?? 'system error'),
    );
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if ((request as FastifyRequest & { lostResponse?: boolean }).lostResponse) {
      request.raw.socket.destroy();
      reply.hijack();
    }
    return payload;
  });

  const clientIp = (request: FastifyRequest) => request.ip.replace(/^::ffff:/, '');

  // 1.1 getStableAccessToken
  app.post('/cgi-bin/stable_token', async (request, reply: FastifyReply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credential') return wxError(40002, 'invalid grant_type');
    const wx = typeof body.appid === 'string' ? state.wechat.get(body.appid) : undefined;
    if (!wx) return wxError(40013, 'invalid appid');
    if (body.secret !== wx.secret) return wxError(40125, 'invalid appsecret');
    if (wx.ipWhitelist && !wx.ipWhitelist.includes(clientIp(request)))
      return wxError(40164, `invalid ip ${clientIp(request)}, not in whitelist`);
    state.stats.tokenFetches++;
    const now = state.now();
    if (body.force_refresh === true) {
      const day = shanghaiDay(now);
      if (wx.forceRefreshDay !== day) {
        wx.forceRefreshDay = day;
        wx.forceRefreshCount = 0;
      }
      // The limits are documented (20 a day, 30 s apart); the codes for breaking them are not: we
      // answer 45009 (daily quota) and 45011 (too frequent).
      if (wx.forceRefreshCount >= 20) return wxError(45009, 'reach max api daily quota limit');
      if (now - wx.lastForceRefreshAt < 30_000)
        return wxError(45011, 'api minute-quota reach limit mustslower retry next minute');
      wx.forceRefreshCount++;
      wx.lastForceRefreshAt = now;
      state.stats.forceRefreshes++;
      // Force mode invalidates the previous token at once.
      const t = state.issueToken(wx);
      wx.previous = null;
      return { access_token: t.token, expires_in: Math.round((t.expiresAt - now) / 1000) };
    }
    const current =
      wx.current && wx.current.expiresAt - now > RENEW_BEFORE_MS ? wx.current : state.issueToken(wx);
    void reply;
    return { access_token: current.token, expires_in: Math.round((current.expiresAt - now) / 1000) };
  });

  // 2.5 get_current_selfmenu_info: a cheap authenticated read, also used to check a token.
  app.get('/cgi-bin/get_current_selfmenu_info', async (request) => {
    const check = state.checkToken((request.query as Record<string, string>).access_token);
    if ('errcode' in check) {
      const messages = {
        40001: 'invalid credential, access_token is invalid or not latest',
        42001: 'access_token expired',
        41001: 'access_token missing',
      };
      return wxError(check.errcode, messages[check.errcode]);
    }
    return check.app.menu;
  });

  const authed = (request: FastifyRequest) => {
    const check = state.checkToken((request.query as Record<string, string>).access_token);
    if ('errcode' in check) return { error: wxError(check.errcode, TOKEN_ERRORS[check.errcode]) };
    return { app: check.app };
  };

  app.register(wechatPublishRoutes, { state, authed, wxError });
  app.register(datacubeRoutes, { state, authed, wxError });
  app.register(weiboRoutes, { state, weibo });

  // Administration for tests, benchmarks and the demo.
  app.post('/_emulator/wechat/apps', async (request) => {
    const b = request.body as {
      appid: string;
      secret: string;
      kind?: 'subscription' | 'service';
      verified?: boolean;
      ipWhitelist?: string[] | null;
      /** Days before this one get generated articles (a history to backfill). */
      historyArticlesUntil?: string | null;
    };
    const created = state.addWechatApp(b);
    return { appid: created.appid };
  });
  app.post('/_emulator/faults', async (request) => {
    const b = (request.body ?? {}) as Partial<{
      latencyMs: number;
      rates: Record<string, number>;
      queue: Array<{ kind: FaultKind; path?: string }>;
    }>;
    if (b.latencyMs !== undefined) state.knobs.latencyMs = b.latencyMs;
    if (b.rates) state.knobs.rates = b.rates as FaultKnobs['rates'];
    if (b.queue) state.knobs.queued.push(...b.queue);
    return { ok: true };
  });
  app.get('/_emulator/stats', async () => state.stats);
  // What each app published (titles per edition): benchmarks count duplicates from it.
  app.get('/_emulator/wechat/published', async () =>
    [...state.wechat.values()].map((a) => ({ appid: a.appid, published: a.published })),
  );

  return { app, state, weibo };
}

type FaultKnobs = EmulatorState['knobs'];

/** Starts an emulator on a port (0: any free one); returns its base URL. */
export async function startEmulator(
  opts: { port?: number; host?: string; state?: EmulatorState } = {},
): Promise<EmulatorApp & { url: string; close: () => Promise<void> }> {
  const emu = buildEmulator(opts.state);
  const address = await emu.app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  return { ...emu, url: address, close: () => emu.app.close() };
}

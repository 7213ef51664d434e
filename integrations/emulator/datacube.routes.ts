import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorState, WechatApp } from './emulator.state.js';

/**
 * datacube endpoints (reference §2): POST with begin_date/end_date, the per-endpoint maximum span,
 * and end_date at most yesterday (Asia/Shanghai). Figures are generated deterministically from the
 * AppID and the date: followers grow, reads and new followers follow a weekly rhythm (quieter at the
 * weekend), and a day with a publish gets more reads and followers. `metricsSeed` (per app, default
 * from EmulatorState, EMULATOR_SEED standalone) gives another deterministic series. The codes for a bad span or
 * date (61501, 61500) are the commonly reported ones; the reference does not list them.
 */

const DAY = 86_400_000;
const EPOCH = Date.parse('2021-11-01T00:00:00Z');
const WEEK = [0.72, 1.1, 1.06, 1.0, 1.0, 0.95, 0.78]; // Sunday..Saturday

function hash(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

export function dayFigures(app: WechatApp, day: string) {
  const seed = hash(`${app.metricsSeed}${app.appid}|${day}`);
  const week = WEEK[new Date(`${day}T00:00:00Z`).getUTCDay()] as number;
  const published = app.publishDays.get(day) ?? 0;
  const newUser = Math.round((30 + (seed % 15)) * week + 40 * published);
  const cancelUser = 5 + ((seed >>> 8) % 7);
  const reads = Math.round((900 + ((seed >>> 4) % 200)) * week + 2500 * published);
  return {
    newUser,
    cancelUser,
    reads,
    readers: Math.round(reads * 0.86),
    shares: Math.round(reads * 0.03),
    favs: Math.round(reads * 0.004),
  };
}

/** Follower totals by day index since EPOCH, per app, built once (a backfill asks for every day). */
const cumulateCache = new WeakMap<WechatApp, { publishes: number; totals: number[] }>();

export function cumulateOn(app: WechatApp, day: string): number {
  const publishes = app.published.length;
  let cache = cumulateCache.get(app);
  if (!cache || cache.publishes !== publishes) {
    cache = { publishes, totals: [] };
    cumulateCache.set(app, cache);
  }
  const index = Math.round((Date.parse(`${day}T00:00:00Z`) - EPOCH) / DAY);
  if (index < 0) return 50_000 + (hash(`${app.metricsSeed}${app.appid}`) % 50_000);
  const { totals } = cache;
  for (let i = totals.length; i <= index; i++) {
    const before =
      i === 0 ? 50_000 + (hash(`${app.metricsSeed}${app.appid}`) % 50_000) : (totals[i - 1] as number);
    const f = dayFigures(app, new Date(EPOCH + i * DAY).toISOString().slice(0, 10));
    totals.push(before + f.newUser - f.cancelUser);
  }
  return totals[index] as number;
}

/** getarticleshare: "数据存储起始时间为2025-11-01,之前日期数据无效". */
const NEW_DATA_FROM = '2025-11-01';

/** Generated articles of a day before `historyArticlesUntil`: one to three, by the seed. */
function historyOn(app: WechatApp, day: string) {
  if (!app.historyArticlesUntil || day >= app.historyArticlesUntil) return [];
  const count = 1 + (hash(`${app.metricsSeed}${app.appid}|articles|${day}`) % 3);
  const msgDataId = String(2_000_000_000 + (Date.parse(`${day}T00:00:00Z`) - EPOCH) / DAY);
  return [{ day, msgDataId, titles: Array.from({ length: count }, (_, i) => `${day} 往期文章 ${i + 1}`) }];
}

/** The articles published on `day`, with their deterministic page reads. */
function articlesOn(app: WechatApp, day: string) {
  return [...historyOn(app, day), ...app.published.filter((p) => p.day === day)].flatMap((p) =>
    p.titles.map((title, i) => ({
      msgid: `${p.msgDataId}_${i + 1}`,
      title,
      reads: 1500 + (hash(`${app.metricsSeed}${p.msgDataId}_${i}`) % 3000),
    })),
  );
}

type Rows = (app: WechatApp, day: string) => unknown[];
const ENDPOINTS: Record<string, { span: number; rows: Rows; v2025?: true }> = {
  getusersummary: {
    span: 7,
    rows: (app, day) => [
      {
        ref_date: day,
        user_source: 0,
        new_user: dayFigures(app, day).newUser,
        cancel_user: dayFigures(app, day).cancelUser,
      },
    ],
  },
  getusercumulate: {
    span: 7,
    rows: (app, day) => [{ ref_date: day, user_source: 0, cumulate_user: cumulateOn(app, day) }],
  },
  getuserread: {
    span: 3,
    rows: (app, day) => {
      const f = dayFigures(app, day);
      return [
        {
          ref_date: day,
          user_source: 99999999,
          int_page_read_user: f.readers,
          int_page_read_count: f.reads,
          ori_page_read_user: 0,
          ori_page_read_count: 0,
          share_user: Math.round(f.shares * 0.8),
          share_count: f.shares,
          add_to_fav_user: f.favs,
          add_to_fav_count: f.favs,
        },
      ];
    },
  },
  // One row per article published that day (reference §2.2 getarticlesummary; span 1).
  getarticlesummary: {
    span: 1,
    rows: (app, day) =>
      articlesOn(app, day).map(({ msgid, title, reads }) => ({
        ref_date: day,
        msgid,
        title,
        int_page_read_user: Math.round(reads * 0.9),
        int_page_read_count: reads,
        ori_page_read_user: 0,
        ori_page_read_count: 0,
        share_user: Math.round(reads * 0.02),
        share_count: Math.round(reads * 0.03),
        add_to_fav_user: Math.round(reads * 0.004),
        add_to_fav_count: Math.round(reads * 0.005),
      })),
  },
  // The 2025 endpoints (reference §2.1–2.2). Their spans are not documented beyond getarticleshare's
  // one day; the emulator allows one day for all four, as the client asks for.
  getarticleread: {
    span: 1,
    v2025: true,
    rows: (app, day) =>
      articlesOn(app, day).map(({ msgid, reads }) => ({
        ref_date: day,
        msgid,
        detail: {
          read_user: Math.round(reads * 0.9),
          read_user_source: [{ user_source: 0, read_user: Math.round(reads * 0.9) }],
        },
      })),
  },
  getarticleshare: {
    span: 1,
    v2025: true,
    rows: (app, day) =>
      day < NEW_DATA_FROM
        ? []
        : articlesOn(app, day).map(({ msgid, reads }) => ({
            ref_date: day,
            msgid,
            detail: { share_user: Math.round(reads * 0.02) },
          })),
  },
  getbizsummary: {
    span: 1,
    v2025: true,
    rows: (app, day) => {
      const f = dayFigures(app, day);
      return [
        {
          ref_date: day,
          detail: {
            read_user: f.readers,
            read_user_source: [{ user_source: 0, read_user: f.readers }],
            share_user: Math.round(f.shares * 0.8),
            zaikan_user: Math.round(f.reads * 0.006),
            like_user: Math.round(f.reads * 0.012),
            comment_count: Math.round(f.reads * 0.002),
          },
        },
      ];
    },
  },
  getarticletotaldetail: {
    span: 1,
    v2025: true,
    rows: (app, day) =>
      articlesOn(app, day).map(({ msgid, reads, title }) => ({
        ref_date: day,
        msgid,
        title,
        publish_type: 0,
        detail_list: [
          { stat_date: day, read_user: Math.round(reads * 0.9), share_user: Math.round(reads * 0.02) },
        ],
      })),
  },
  getusershare: {
    span: 7,
    rows: (app, day) => [
      {
        ref_date: day,
        share_scene: 1,
        share_count: dayFigures(app, day).shares,
        share_user: Math.round(dayFigures(app, day).shares * 0.8),
      },
    ],
  },
};

export async function datacubeRoutes(
  app: FastifyInstance,
  o: {
    state: EmulatorState;
    authed: (r: FastifyRequest) => { app?: WechatApp; error?: object };
    wxError: (c: number, m: string) => object;
  },
) {
  const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
  for (const [name, spec] of Object.entries(ENDPOINTS)) {
    app.post(`/datacube/${name}`, async (request) => {
      const { app: wx, error } = o.authed(request);
      if (!wx) return error;
      const b = (request.body ?? {}) as { begin_date?: string; end_date?: string };
      const format = /^\d{4}-\d{2}-\d{2}$/;
      if (!b.begin_date || !b.end_date || !format.test(b.begin_date) || !format.test(b.end_date))
        return o.wxError(61500, 'date format error');
      const begin = Date.parse(`${b.begin_date}T00:00:00Z`);
      const end = Date.parse(`${b.end_date}T00:00:00Z`);
      const span = (end - begin) / DAY;
      if (span < 0 || span >= spec.span || b.end_date >= shanghaiDay(o.state.now()))
        return o.wxError(61501, 'date range error');
      const list = [];
      for (let t = begin; t <= end; t += DAY)
        list.push(...spec.rows(wx, new Date(t).toISOString().slice(0, 10)));
      // The 2025 endpoints also say whether the figures are final ("is_delay").
      return spec.v2025 ? { list, is_delay: false } : { list };
    });
  }
}

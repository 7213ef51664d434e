import { randomInt } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorState } from './emulator.state.js';

/**
 * Weibo endpoints of reference §4: statuses/share (140-character limit, no #topic#, a safe-domain
 * link required, one JPEG/GIF/PNG picture under 5 MB, 30 posts an hour, repeat content refused),
 * users/show, statuses/count and oauth2/get_token_info. Ids above 2^53 are written as bare JSON
 * numbers, as Weibo does, so clients must not lose digits.
 */
export interface WeiboUser {
  uid: string;
  screenName: string;
  followers: number;
  statuses: number;
}

export interface WeiboState {
  tokens: Map<string, { uid: string; expiresAt: number }>;
  users: Map<string, WeiboUser>;
  posts: Map<
    string,
    { uid: string; text: string; createdAt: number; comments: number; reposts: number; attitudes: number }
  >;
  safeDomains: string[];
}

export function weiboState(): WeiboState {
  return { tokens: new Map(), users: new Map(), posts: new Map(), safeDomains: ['example.gov.cn'] };
}

/** Weibo's time format, e.g. "Tue May 24 18:04:53 +0800 2011" (Beijing time). */
function weiboTime(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  const [wd, day, mon, year, time] = d.toUTCString().replace(',', '').split(' ') as string[];
  return `${wd} ${mon} ${day} ${time} +0800 ${year}`;
}

/** A status as Weibo writes it: the 64-bit id as a bare number and as `idstr`. */
const statusJson = (id: string, text: string, at: number) =>
  `{"created_at":"${weiboTime(at)}","id":${id},"mid":"${id}","idstr":"${id}","text":${JSON.stringify(text)},"source":"Yunying","favorited":false,"truncated":false}`;

// Counted here independently of integrations/weibo (on purpose: the emulator must not share the
// client's bugs, or the tests could not catch them).
const weiboLength = (text: string) => {
  const urls = text.match(/https?:\/\/[^\s\u3000-\u303f\uff00-\uffef<>"']+/gi) ?? [];
  let half = 0;
  for (const ch of text.replace(/https?:\/\/[^\s\u3000-\u303f\uff00-\uffef<>"']+/gi, ''))
    half += ch.charCodeAt(0) < 128 ? 1 : 2;
  return Math.ceil(half / 2) + urls.length * 10;
};

export async function weiboRoutes(app: FastifyInstance, o: { state: EmulatorState; weibo: WeiboState }) {
  const { state, weibo } = o;
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: 20 * 1024 * 1024, files: 1 },
      attachFieldsToBody: 'keyValues',
    });
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const fail = (reply: FastifyReply, request: FastifyRequest, code: string, error: string) =>
      reply.status(code.startsWith('21') ? 401 : 400).send({
        request: `/${request.url.split('?')[0]?.replace(/^\/(2\/)?/, '')}`,
        error_code: code,
        error,
      });
    const params = (request: FastifyRequest) => ({
      ...(request.query as Record<string, unknown>),
      ...((request.body as Record<string, unknown>) ?? {}),
    });
    const auth = (request: FastifyRequest) => {
      const token = String(params(request).access_token ?? '');
      const t = weibo.tokens.get(token);
      if (!t) return { error: ['21332', 'invalid_access_token'] as [string, string], uid: '' };
      if (t.expiresAt <= state.now())
        return { error: ['21327', 'expired_token'] as [string, string], uid: '' };
      return { error: null, uid: t.uid };
    };

    scope.post('/2/statuses/share.json', async (request, reply) => {
      const a = auth(request);
      if (a.error) return fail(reply, request, a.error[0], a.error[1]);
      const p = params(request);
      const text = typeof p.status === 'string' ? p.status : '';
      if (!text) return fail(reply, request, '20008', 'content is null');
      if (!p.rip) return fail(reply, request, '10016', 'miss required parameter (rip)');
      if (weiboLength(text) > 140)
        return fail(reply, request, '20012', 'Text too long, please input text less than 140 characters!');
      if (/#[^#\s]+#/.test(text))
        return fail(reply, request, '10017', 'parameter (status) value invalid: topic');
      const links = text.match(/https?:\/\/[^\s\u3000-\u303f\uff00-\uffef<>"']+/gi) ?? [];
      const safe = links.some((l) => {
        const host = new URL(l).hostname;
        return weibo.safeDomains.some((d) => host === d || host.endsWith(`.${d}`));
      });
      if (!safe)
        return fail(reply, request, '10017', 'parameter (status) value invalid: url not in safe domain');
      const pic = p.pic;
      if (pic !== undefined) {
        const b = Buffer.isBuffer(pic) ? pic : Buffer.from(String(pic));
        const ok =
          (b[0] === 0xff && b[1] === 0xd8) ||
          b.subarray(0, 4).toString('latin1') === 'GIF8' ||
          b.subarray(1, 4).toString('latin1') === 'PNG';
        if (!ok) return fail(reply, request, '20005', 'Unsupported image type, only suport JPG, GIF, PNG!');
        if (b.length >= 5 * 1024 * 1024) return fail(reply, request, '20006', 'Image size too large');
      }
      const now = state.now();
      const mine = [...weibo.posts.values()].filter((x) => x.uid === a.uid);
      if (mine.filter((x) => now - x.createdAt < 3_600_000).length >= 30)
        return fail(reply, request, '20016', 'Out of limit!');
      if (mine.some((x) => x.text === text)) return fail(reply, request, '20019', 'Repeat content!');
      const id = `${4_900_000_000_000_000n + BigInt(randomInt(1_000_000_000))}`;
      weibo.posts.set(id, { uid: a.uid, text, createdAt: now, comments: 0, reposts: 0, attitudes: 0 });
      const user = weibo.users.get(a.uid);
      if (user) user.statuses++;
      return reply.type('application/json').send(statusJson(id, text, now));
    });

    scope.get('/2/users/show.json', async (request, reply) => {
      const a = auth(request);
      if (a.error) return fail(reply, request, a.error[0], a.error[1]);
      const user = weibo.users.get(String(params(request).uid ?? ''));
      if (!user) return fail(reply, request, '20003', 'User does not exists!');
      // Like Weibo, the user's newest post comes along as `status`.
      const [latestId, latest] = [...weibo.posts.entries()]
        .filter(([, x]) => x.uid === user.uid)
        .reduce<[string, { text: string; createdAt: number }] | [null, null]>(
          (best, [id, x]) => (best[1] && best[1].createdAt > x.createdAt ? best : [id, x]),
          [null, null],
        );
      const status =
        latestId && latest ? `,"status":${statusJson(latestId, latest.text, latest.createdAt)}` : '';
      return reply
        .type('application/json')
        .send(
          `{"id":${user.uid},"idstr":"${user.uid}","screen_name":${JSON.stringify(user.screenName)},"followers_count":${user.followers},"friends_count":10,"statuses_count":${user.statuses},"verified":true${status}}`,
        );
    });

    scope.get('/2/statuses/count.json', async (request, reply) => {
      const a = auth(request);
      if (a.error) return fail(reply, request, a.error[0], a.error[1]);
      const ids = String(params(request).ids ?? '')
        .split(',')
        .filter(Boolean);
      if (ids.length === 0 || ids.length > 100)
        return fail(reply, request, '10017', 'parameter (ids) value invalid');
      const rows = ids
        .filter((id) => weibo.posts.has(id))
        .map((id) => {
          const x = weibo.posts.get(id) as { comments: number; reposts: number; attitudes: number };
          return `{"id":${id},"comments":${x.comments},"reposts":${x.reposts},"attitudes":${x.attitudes}}`;
        });
      return reply.type('application/json').send(`[${rows.join(',')}]`);
    });

    scope.post('/oauth2/get_token_info', async (request, reply) => {
      const token = String(params(request).access_token ?? '');
      const t = weibo.tokens.get(token);
      if (!t) return fail(reply, request, '21332', 'invalid_access_token');
      if (t.expiresAt <= state.now()) return fail(reply, request, '21327', 'expired_token');
      return {
        uid: Number(t.uid) > Number.MAX_SAFE_INTEGER ? t.uid : Number(t.uid),
        appkey: 1352222456,
        scope: null,
        create_at: Math.floor(now() / 1000),
        expire_in: Math.floor((t.expiresAt - state.now()) / 1000),
      };
    });
    const now = () => state.now();

    scope.post('/_emulator/weibo/accounts', async (request) => {
      const b = request.body as {
        uid: string;
        token: string;
        screenName?: string;
        followers?: number;
        expiresInSeconds?: number;
      };
      weibo.users.set(b.uid, {
        uid: b.uid,
        screenName: b.screenName ?? b.uid,
        followers: b.followers ?? 1000,
        statuses: 0,
      });
      weibo.tokens.set(b.token, {
        uid: b.uid,
        expiresAt: state.now() + (b.expiresInSeconds ?? 5 * 365 * 86_400) * 1000,
      });
      return { ok: true };
    });
  });
}

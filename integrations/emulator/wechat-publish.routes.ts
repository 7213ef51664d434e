import { createHash, randomInt } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorState, WechatApp } from './emulator.state.js';

/**
 * Uploads, drafts, mass send and freepublish as in reference §1.2–1.6: the same limits and codes.
 * Where the reference lists no code for a limit (title/author/digest length) the emulator answers
 * with the codes WeChat is known to use for them (45003, 45110, 45004, 45002).
 */

type Authed = (
  request: FastifyRequest,
) => { error: unknown; app?: undefined } | { app: WechatApp; error?: undefined };
type WxError = (errcode: number, errmsg: string) => object;

const isJpeg = (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b: Buffer) =>
  b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
const isGif = (b: Buffer) => b.subarray(0, 4).toString('latin1') === 'GIF8';
const isBmp = (b: Buffer) => b.subarray(0, 2).toString('latin1') === 'BM';
const chars = (s: unknown) => (typeof s === 'string' ? [...s].length : 0);
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const newId = () => String(2_247_000_000 + randomInt(1_000_000_000));

interface Draft {
  appid: string;
  articles: Array<Record<string, unknown>>;
}
interface PublishJob {
  appid: string;
  draft: Draft;
  at: number;
  polls: number;
  articleId: string;
}

export async function wechatPublishRoutes(
  app: FastifyInstance,
  o: { state: EmulatorState; authed: Authed; wxError: WxError },
) {
  const { state, authed, wxError } = o;
  const materials = new Map<string, { appid: string; type: string }>();
  const drafts = new Map<string, Draft>();
  const publishes = new Map<string, PublishJob>();
  const massSends = new Map<string, { appid: string; msgDataId: string }>();
  const clientMsgIds = new Map<string, string>();
  const lastMassSendDay = new Map<string, string>();
  await app.register(multipart, { limits: { fileSize: 20 * 1024 * 1024, files: 1 } });

  async function upload(request: FastifyRequest): Promise<Buffer | null> {
    if (!request.isMultipart()) return null;
    const file = await request.file();
    return file ? file.toBuffer() : null;
  }

  app.post('/cgi-bin/media/uploadimg', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;

    const body = await upload(request);
    if (!body) return wxError(41005, 'media data missing');
    if (!isJpeg(body) && !isPng(body)) return wxError(40005, 'invalid file type');
    if (body.length >= 1024 * 1024) return wxError(40009, 'invalid image size');
    const sha = createHash('sha256').update(body).digest('hex').slice(0, 32);
    return { url: `http://mmbiz.qpic.cn/emulator/${sha}/0`, errcode: 0, errmsg: 'ok' };
  });

  app.post('/cgi-bin/material/add_material', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;
    const a = { app: wxApp };
    const type = (request.query as Record<string, string>).type;
    if (!['image', 'thumb', 'voice', 'video'].includes(type ?? ''))
      return wxError(40004, 'invalid media type');
    const body = await upload(request);
    if (!body) return wxError(41005, 'media data missing');
    if (type === 'thumb') {
      if (!isJpeg(body)) return wxError(40005, 'invalid file type');
      if (body.length > 64 * 1024) return wxError(40009, 'invalid image size');
    } else if (type === 'image') {
      if (!isJpeg(body) && !isPng(body) && !isGif(body) && !isBmp(body))
        return wxError(40005, 'invalid file type');
      if (body.length > 10 * 1024 * 1024) return wxError(40009, 'invalid image size');
    }
    const mediaId = `emu_media_${createHash('sha256').update(body).update(a.app.appid).digest('hex').slice(0, 40)}`;
    materials.set(mediaId, { appid: a.app.appid, type: type as string });
    return { media_id: mediaId, url: `http://mmbiz.qpic.cn/emulator/material/${mediaId}/0` };
  });

  app.post('/cgi-bin/draft/add', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;
    const a = { app: wxApp };
    const articles = (request.body as { articles?: unknown })?.articles;
    if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8)
      return wxError(40114, 'invalid articles count');
    for (const art of articles as Array<Record<string, unknown>>) {
      if (!art.title || chars(art.title) > 32) return wxError(45003, 'title size out of limit');
      if (chars(art.author) > 16) return wxError(45110, 'author size out of limit');
      if (chars(art.digest) > 128) return wxError(45004, 'description size out of limit');
      if (
        typeof art.content !== 'string' ||
        art.content.length === 0 ||
        art.content.length >= 20_000 ||
        Buffer.byteLength(art.content) >= 1024 * 1024
      )
        return wxError(45002, 'content size out of limit');
      if (typeof art.content_source_url === 'string' && Buffer.byteLength(art.content_source_url) > 1024)
        return wxError(41039, 'invalid content_source_url');
      const thumb = materials.get(String(art.thumb_media_id ?? ''));
      if (!thumb || thumb.appid !== a.app.appid) return wxError(40007, 'invalid media_id');
    }
    const mediaId = `emu_draft_${newId()}`;
    drafts.set(mediaId, { appid: a.app.appid, articles: articles as Array<Record<string, unknown>> });
    return { media_id: mediaId };
  });

  app.post('/cgi-bin/draft/delete', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;
    const a = { app: wxApp };
    const id = String((request.body as { media_id?: string })?.media_id ?? '');
    if (drafts.get(id)?.appid !== a.app.appid) return wxError(40007, 'invalid media_id');
    drafts.delete(id);
    return { errcode: 0, errmsg: 'ok' };
  });

  app.post('/cgi-bin/message/mass/sendall', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;
    const a = { app: wxApp };
    const b = (request.body ?? {}) as {
      filter?: { is_to_all?: boolean };
      msgtype?: string;
      mpnews?: { media_id?: string };
      clientmsgid?: string;
    };
    if (!a.app.verified) return wxError(48001, 'api unauthorized');
    if (b.msgtype !== 'mpnews') return wxError(40008, 'invalid message type');
    if (b.clientmsgid !== undefined && Buffer.byteLength(b.clientmsgid) > 64)
      return wxError(45067, 'clientmsgid size out of limit');
    const key = `${a.app.appid}:${b.clientmsgid ?? ''}`;
    const existing = b.clientmsgid ? clientMsgIds.get(key) : undefined;
    if (existing) return { ...(wxError(45065, 'clientmsgid exist') as object), msg_id: Number(existing) };
    const draft = drafts.get(String(b.mpnews?.media_id ?? ''));
    if (!draft || draft.appid !== a.app.appid) return wxError(40007, 'invalid media_id');
    const day = shanghaiDay(state.now());
    if (
      a.app.kind === 'subscription' &&
      b.filter?.is_to_all !== false &&
      lastMassSendDay.get(a.app.appid) === day
    )
      return wxError(45028, 'has no masssend quota');
    lastMassSendDay.set(a.app.appid, day);
    a.app.publishDays.set(day, (a.app.publishDays.get(day) ?? 0) + 1);
    drafts.delete(String(b.mpnews?.media_id));
    const msgId = String(1_000_000_000 + randomInt(1_000_000_000));
    const msgDataId = newId();
    massSends.set(msgId, { appid: a.app.appid, msgDataId });
    a.app.published.push({ day, msgDataId, titles: draft.articles.map((x) => String(x.title)) });
    if (b.clientmsgid) clientMsgIds.set(key, msgId);
    return {
      errcode: 0,
      errmsg: 'send job submission success',
      msg_id: Number(msgId),
      msg_data_id: Number(msgDataId),
    };
  });

  app.post('/cgi-bin/message/mass/get', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;
    const a = { app: wxApp };
    const id = String((request.body as { msg_id?: unknown })?.msg_id ?? '');
    if (massSends.get(id)?.appid !== a.app.appid) return wxError(40059, 'invalid msg id');
    return { msg_id: Number(id), msg_status: 'SEND_SUCCESS' };
  });

  app.post('/cgi-bin/freepublish/submit', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;
    const a = { app: wxApp };
    if (!a.app.verified) return wxError(48001, 'api unauthorized');
    const id = String((request.body as { media_id?: string })?.media_id ?? '');
    const draft = drafts.get(id);
    if (!draft || draft.appid !== a.app.appid) return wxError(40007, 'invalid media_id');
    drafts.delete(id);
    const today = shanghaiDay(state.now());
    a.app.publishDays.set(today, (a.app.publishDays.get(today) ?? 0) + 1);
    const publishId = newId();
    const msgDataId = newId();
    a.app.published.push({ day: today, msgDataId, titles: draft.articles.map((x) => String(x.title)) });
    publishes.set(publishId, {
      appid: a.app.appid,
      draft,
      at: state.now(),
      polls: 0,
      articleId: `emu_article_${publishId}`,
    });
    return { errcode: 0, errmsg: 'ok', publish_id: publishId, msg_data_id: msgDataId };
  });

  // §2.4 freepublish/batchget: verified accounts only (48001); newest first; free-published items only.
  app.post('/cgi-bin/freepublish/batchget', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;
    if (!wxApp.verified) return wxError(48001, 'api unauthorized');
    const b = (request.body ?? {}) as { offset?: number; count?: number; no_content?: number };
    if (
      typeof b.count !== 'number' ||
      b.count < 1 ||
      b.count > 20 ||
      typeof b.offset !== 'number' ||
      b.offset < 0
    )
      return wxError(40097, 'invalid args');
    const mine = [...publishes.entries()]
      .filter(([, j]) => j.appid === wxApp.appid)
      .sort((x, y) => y[1].at - x[1].at);
    const page = mine.slice(b.offset, b.offset + b.count);
    return {
      total_count: mine.length,
      item_count: page.length,
      item: page.map(([id, j]) => ({
        article_id: j.articleId,
        content: {
          news_item: j.draft.articles.map((art, i) => ({
            title: art.title,
            author: art.author ?? '',
            digest: art.digest ?? '',
            content: b.no_content ? '' : art.content,
            content_source_url: art.content_source_url ?? '',
            thumb_media_id: art.thumb_media_id,
            url: `https://mp.weixin.qq.com/s/emulator_${id}_${i + 1}`,
            is_deleted: false,
          })),
        },
        update_time: Math.floor(j.at / 1000),
      })),
    };
  });

  // The first query of a job answers "publishing" (1), later ones "success" (0) with the URLs.
  app.post('/cgi-bin/freepublish/get', async (request) => {
    const { app: wxApp, error } = authed(request);
    if (!wxApp) return error;
    const a = { app: wxApp };
    const id = String((request.body as { publish_id?: unknown })?.publish_id ?? '');
    const job = publishes.get(id);
    if (!job || job.appid !== a.app.appid) return wxError(40007, 'invalid publish_id');
    job.polls++;
    if (job.polls === 1) return { publish_id: id, publish_status: 1 };
    return {
      publish_id: id,
      publish_status: 0,
      article_id: job.articleId,
      article_detail: {
        count: job.draft.articles.length,
        item: job.draft.articles.map((_, i) => ({
          idx: i + 1,
          article_url: `https://mp.weixin.qq.com/s/emulator_${id}_${i + 1}`,
        })),
      },
      fail_idx: [],
    };
  });
}

import {
  type Edition,
  type MediaLoader,
  PlatformError,
  type PublishProgress,
  type PublishState,
} from '../platform.js';

/**
 * The documented limits of draft/add and the uploads (reference §1.2–1.4), checked before any call
 * so the editor gets a precise Chinese message and nothing is uploaded for a draft that would fail.
 */
export const LIMITS = {
  articles: { min: 1, max: 8 },
  titleChars: 32,
  authorChars: 16,
  digestChars: 128,
  contentChars: 20_000,
  contentBytes: 1024 * 1024,
  sourceUrlBytes: 1024,
  bodyImageBytes: 1024 * 1024,
  coverBytes: 64 * 1024,
};

const invalid = (message: string, editorMessage: string) =>
  new PlatformError('invalid_content', 'wechat', message, { editorMessage });

const chars = (s: string) => [...s].length;
export const isJpeg = (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
export const isPng = (b: Buffer) =>
  b.length > 8 && b.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));

export function validateEdition(edition: Edition): void {
  const n = edition.articles.length;
  if (n < LIMITS.articles.min || n > LIMITS.articles.max)
    throw invalid(`an edition holds 1–8 articles, got ${n}`, `一次群发包含 1–8 篇文章，当前 ${n} 篇。`);
  edition.articles.forEach((a, i) => {
    const at = `第 ${i + 1} 篇`;
    if (chars(a.title) === 0 || chars(a.title) > LIMITS.titleChars)
      throw invalid(
        `article ${i + 1}: title has ${chars(a.title)} characters`,
        `${at}标题须为 1–${LIMITS.titleChars} 个字，当前 ${chars(a.title)} 个字。`,
      );
    if (a.author && chars(a.author) > LIMITS.authorChars)
      throw invalid(
        `article ${i + 1}: author too long`,
        `${at}作者最多 ${LIMITS.authorChars} 个字，当前 ${chars(a.author)} 个字。`,
      );
    if (a.digest && chars(a.digest) > LIMITS.digestChars)
      throw invalid(
        `article ${i + 1}: digest too long`,
        `${at}摘要最多 ${LIMITS.digestChars} 个字，当前 ${chars(a.digest)} 个字。`,
      );
    if (
      a.contentHtml.length === 0 ||
      a.contentHtml.length >= LIMITS.contentChars ||
      Buffer.byteLength(a.contentHtml) >= LIMITS.contentBytes
    )
      throw invalid(
        `article ${i + 1}: body too long`,
        `${at}正文须少于 2 万字符且小于 1MB，当前 ${a.contentHtml.length} 字符。`,
      );
    if (a.sourceUrl && Buffer.byteLength(a.sourceUrl) > LIMITS.sourceUrlBytes)
      throw invalid(`article ${i + 1}: source URL too long`, `${at}“阅读原文”链接不能超过 1KB。`);
  });
}

const IMG_SRC = /<img\b[^>]*?\bsrc\s*=\s*(["'])(.*?)\1/gi;

export function bodyImageRefs(html: string): string[] {
  return [...new Set([...html.matchAll(IMG_SRC)].map((m) => m[2] as string))].filter(
    (src) => !src.startsWith('http://mmbiz.qpic.cn/'),
  );
}

export function rewriteImages(html: string, urls: Record<string, string>): string {
  return html.replace(IMG_SRC, (whole, q: string, src: string) =>
    urls[src] ? whole.replace(`${q}${src}${q}`, `${q}${urls[src]}${q}`) : whole,
  );
}

export interface WechatPublishCalls {
  uploadImage(bytes: Buffer, filename: string): Promise<string>;
  uploadThumb(bytes: Buffer, filename: string): Promise<string>;
  addDraft(articles: unknown[]): Promise<string>;
  massSend(draftMediaId: string, clientMsgId: string): Promise<{ msgId: string; msgDataId: string | null }>;
  freepublishSubmit(draftMediaId: string): Promise<{ publishId: string; msgDataId: string | null }>;
  massStatus(msgId: string): Promise<string>;
  freepublishGet(
    publishId: string,
  ): Promise<{ status: number; articleId: string | null; urls: string[]; failIdx: number[] }>;
}

/**
 * Publishes an edition step by step, recording the platform ids after every side effect; given the
 * progress of an earlier attempt it skips what is done (uploaded images and covers, the draft, the
 * send), so a retry never repeats a completed step.
 */
export async function publishEditionSteps(
  calls: WechatPublishCalls,
  edition: Edition,
  progress: PublishProgress,
  record: (p: PublishProgress) => Promise<void>,
  media: MediaLoader,
): Promise<PublishProgress> {
  validateEdition(edition);
  const p: PublishProgress = structuredClone(progress);
  for (const article of edition.articles) {
    for (const ref of bodyImageRefs(article.contentHtml)) {
      if (p.uploadedImages[ref]) continue;
      const img = await media.load(ref);
      if (!isJpeg(img.bytes) && !isPng(img.bytes))
        throw invalid(
          `body image ${ref} is not JPEG or PNG`,
          `正文图片 ${img.filename} 须为 JPG 或 PNG 格式。`,
        );
      if (img.bytes.length >= LIMITS.bodyImageBytes)
        throw invalid(
          `body image ${ref} is too large`,
          `正文图片 ${img.filename} 须小于 1MB（当前 ${(img.bytes.length / 1048576).toFixed(1)}MB），请压缩后重试。`,
        );
      p.uploadedImages[ref] = await calls.uploadImage(img.bytes, img.filename);
      await record(p);
    }
  }
  for (const [i, article] of edition.articles.entries()) {
    if (p.coverMediaIds[i]) continue;
    const cover = await media.load(article.coverImage);
    if (!isJpeg(cover.bytes))
      throw invalid(`cover of article ${i + 1} is not JPEG`, `第 ${i + 1} 篇封面须为 JPG 格式。`);
    if (cover.bytes.length > LIMITS.coverBytes)
      throw invalid(
        `cover of article ${i + 1} is too large`,
        `第 ${i + 1} 篇封面须不超过 64KB（当前 ${Math.ceil(cover.bytes.length / 1024)}KB），请压缩后重试。`,
      );
    p.coverMediaIds[i] = await calls.uploadThumb(cover.bytes, cover.filename);
    await record(p);
  }
  if (!p.draftMediaId) {
    p.draftMediaId = await calls.addDraft(
      edition.articles.map((a, i) => ({
        article_type: 'news',
        title: a.title,
        author: a.author ?? undefined,
        digest: edition.articles.length === 1 ? (a.digest ?? undefined) : undefined,
        content: rewriteImages(a.contentHtml, p.uploadedImages),
        content_source_url: a.sourceUrl ?? undefined,
        thumb_media_id: p.coverMediaIds[i],
        need_open_comment: a.comments === 'closed' ? 0 : 1,
        only_fans_can_comment: a.comments === 'followers_only' ? 1 : 0,
      })),
    );
    await record(p);
  }
  if (edition.mode === 'masssend' && !p.msgId) {
    const r = await calls.massSend(p.draftMediaId, edition.idempotencyKey);
    p.msgId = r.msgId;
    p.msgDataId = r.msgDataId;
    await record(p);
  } else if (edition.mode === 'freepublish' && !p.publishId) {
    const r = await calls.freepublishSubmit(p.draftMediaId);
    p.publishId = r.publishId;
    p.msgDataId = r.msgDataId;
    await record(p);
  }
  return p;
}

/**
 * Where a publish stands, asked of WeChat. With the platform ids recorded, by freepublish/get or the
 * mass-send status. Without them (the answer to the send was lost):
 *  - a mass send is asked again with the same `clientmsgid`: WeChat answers 45065 with the msg_id of
 *    the send it already has (so nothing is sent twice), or takes the send now if the first never
 *    arrived — either way exactly one send exists;
 *  - a freepublish submission has no such key: the account's newest free-published items are
 *    searched for the edition's first title published since `since`.
 */
export async function publishStateOf(
  calls: WechatPublishCalls,
  p: PublishProgress,
  edition?: Edition,
  recent?: () => Promise<Array<{ title: string; url: string; externalId: string }>>,
): Promise<PublishState> {
  if (!p.msgId && !p.publishId && p.draftMediaId && edition?.mode === 'masssend') {
    const r = await calls.massSend(p.draftMediaId, edition.idempotencyKey);
    return publishStateOf(calls, { ...p, msgId: r.msgId, msgDataId: r.msgDataId });
  }
  if (!p.publishId && p.draftMediaId && edition?.mode === 'freepublish' && recent) {
    const first = edition.articles[0]?.title;
    const found = (await recent()).filter((i) => i.title === first);
    if (found.length > 0)
      return { state: 'published', articles: found.map((f) => ({ articleId: f.externalId, url: f.url })) };
    return { state: 'failed', reason: '平台上没有这次发布（提交未到达平台），未发布；可重新安排发布' };
  }
  if (p.publishId) {
    const r = await calls.freepublishGet(p.publishId);
    if (r.status === 1) return { state: 'publishing' };
    if (r.status === 0)
      return { state: 'published', articles: r.urls.map((url) => ({ articleId: r.articleId, url })) };
    const reasons: Record<number, string> = {
      2: '原创声明失败',
      3: '常规失败',
      4: '平台审核不通过',
      5: '成功后用户删除所有文章',
      6: '成功后系统封禁所有文章',
    };
    return {
      state: 'failed',
      reason: `${reasons[r.status] ?? `状态 ${r.status}`}${r.failIdx.length ? `（第 ${r.failIdx.join('、')} 篇）` : ''}`,
    };
  }
  if (p.msgId) {
    const status = await calls.massStatus(p.msgId);
    if (status === 'SEND_SUCCESS') return { state: 'published', articles: [] };
    if (status === 'SENDING') return { state: 'publishing' };
    return { state: 'failed', reason: `群发状态 ${status}` };
  }
  return { state: 'failed', reason: '尚未提交' };
}

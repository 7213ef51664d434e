import { createHash } from 'node:crypto';
import { readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { type Selectable, sql } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import { writeFileAtomically } from '../files.js';
import type { Actor } from '../identity/users.service.js';
import type { MediaMime, MediaTable } from './media.table.js';

/**
 * The media library: images stored once per content (SHA-256) under DATA_DIR/media/<ab>/<sha256>,
 * one row per organisation that uses a file. The type is read from the bytes, never from the name
 * or the declared content type.
 */
export interface MediaContext {
  db: DbOrTx;
  dataDir: string;
  maxBytes: number;
}

/** The images WeChat articles and Weibo posts accept. */
const ACCEPTED: ReadonlySet<string> = new Set<MediaMime>(['image/jpeg', 'image/png', 'image/gif']);

export interface MediaView {
  id: string;
  organisationId: string;
  sha256: string;
  mime: MediaMime;
  bytes: number;
  width: number | null;
  height: number | null;
  originalName: string;
  /** Where editors point an article's `<img src>` (the backend serves the file there). */
  url: string;
  createdAt: string;
}

type Row = Selectable<MediaTable>;

export const mediaUrl = (id: string) => `/api/media/${id}/file`;
/** `<img src>`s of article bodies that point into the library, by media id. */
export const MEDIA_URL_PATTERN = /\/api\/media\/([0-9a-f-]{36})\/file/gi;

function toView(r: Row): MediaView {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    sha256: r.sha256,
    mime: r.mime,
    bytes: r.bytes,
    width: r.width,
    height: r.height,
    originalName: r.original_name,
    url: mediaUrl(r.id),
    createdAt: r.created_at.toISOString(),
  };
}

export function mediaPath(dataDir: string, sha256: string): string {
  return path.join(dataDir, 'media', sha256.slice(0, 2), sha256);
}

/** A file name safe to keep and show: no directories, no control characters, at most 255 chars. */
function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = [...base.replace(/\p{Cc}/gu, '').trim()].slice(0, 255).join('');
  return cleaned === '' ? 'image' : cleaned;
}

export function mediaTooLarge(maxBytes: number, bytes?: number): AppError {
  return new AppError(
    'MEDIA_TOO_LARGE',
    `Files may be at most ${maxBytes} bytes`,
    413,
    { maxBytes, ...(bytes === undefined ? {} : { bytes }) },
    `文件过大：图片最大 ${(maxBytes / 1024 / 1024).toFixed(1)} MB`,
  );
}

/** Whether the file carries its format's end marker (a cut-off upload does not). */
function complete(mime: MediaMime, bytes: Buffer): boolean {
  if (mime === 'image/png') return bytes.includes(Buffer.from('IEND'));
  if (mime === 'image/jpeg') return bytes.includes(Buffer.from([0xff, 0xd9]));
  return bytes.includes(0x3b); // GIF trailer
}

/** Refuses what the library does not take, before anything is written. */
export async function inspectImage(
  bytes: Buffer,
  maxBytes: number,
): Promise<{ mime: MediaMime; width: number | null; height: number | null }> {
  if (bytes.length === 0) throw new AppError('MEDIA_EMPTY', 'The file is empty', 422);
  if (bytes.length > maxBytes) throw mediaTooLarge(maxBytes, bytes.length);
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !ACCEPTED.has(type.mime))
    throw new AppError('MEDIA_TYPE_REFUSED', 'Only JPEG, PNG and GIF images are accepted', 415, {
      detected: type?.mime ?? null,
    });
  let size: { width?: number; height?: number } = {};
  try {
    size = imageSize(bytes);
  } catch {
    size = {};
  }
  if (!size.width || !size.height || !complete(type.mime as MediaMime, bytes))
    throw new AppError('MEDIA_UNREADABLE', 'The image is damaged or truncated', 422);
  return { mime: type.mime as MediaMime, width: size.width ?? null, height: size.height ?? null };
}

/** Writes the file once, atomically (a crash never leaves half a file under the hash). */
async function storeFile(dataDir: string, sha256: string, bytes: Buffer): Promise<void> {
  const target = mediaPath(dataDir, sha256);
  const existing = await stat(target).catch(() => null);
  if (existing?.size === bytes.length) return;
  await writeFileAtomically(target, bytes);
}

export async function uploadMedia(
  ctx: MediaContext,
  actor: Actor,
  organisationId: string,
  file: { filename: string; bytes: Buffer },
): Promise<{ media: MediaView; created: boolean }> {
  const info = await inspectImage(file.bytes, ctx.maxBytes);
  const org = await ctx.db
    .selectFrom('organisations')
    .select('id')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  if (!org) throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 422, { organisationId });
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  await storeFile(ctx.dataDir, sha256, file.bytes);
  const inserted = await ctx.db
    .insertInto('media')
    .values({
      organisation_id: organisationId,
      sha256,
      mime: info.mime,
      bytes: file.bytes.length,
      width: info.width,
      height: info.height,
      original_name: cleanName(file.filename),
      created_by: actor.userId,
    })
    .onConflict((oc) => oc.columns(['organisation_id', 'sha256']).doNothing())
    .returningAll()
    .executeTakeFirst();
  const row =
    inserted ??
    (await ctx.db
      .selectFrom('media')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('sha256', '=', sha256)
      .executeTakeFirstOrThrow());
  if (inserted)
    await recordAudit(ctx.db, {
      action: 'media.uploaded',
      actorKind: 'user',
      actorUserId: actor.userId,
      actorRole: actor.role,
      targetType: 'media',
      targetId: row.id,
      organisationId,
      ip: actor.origin.ip,
      requestId: actor.origin.requestId,
      details: { sha256, mime: info.mime, bytes: file.bytes.length, name: row.original_name },
    });
  return { media: toView(row), created: inserted !== undefined };
}

async function row(db: DbOrTx, id: string): Promise<Row> {
  const r = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!r) throw new AppError('MEDIA_NOT_FOUND', 'No such image', 404, { id });
  return r;
}

export async function getMedia(db: DbOrTx, id: string): Promise<MediaView> {
  return toView(await row(db, id));
}

export async function listMedia(
  db: DbOrTx,
  q: { organisationId: string; limit: number; before?: string | undefined },
): Promise<MediaView[]> {
  let query = db
    .selectFrom('media')
    .selectAll()
    .where('organisation_id', '=', q.organisationId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(q.limit);
  if (q.before) query = query.where('created_at', '<', new Date(q.before));
  return (await query.execute()).map(toView);
}

/** The bytes of an image, for the backend, the portal preview and the publishing worker. */
export async function readMedia(
  ctx: Pick<MediaContext, 'db' | 'dataDir'>,
  id: string,
  organisationId?: string,
): Promise<{ media: MediaView; bytes: Buffer }> {
  const r = await row(ctx.db, id);
  if (organisationId && r.organisation_id !== organisationId)
    throw new AppError('MEDIA_NOT_FOUND', 'No such image', 404, { id });
  return { media: toView(r), bytes: await readFile(mediaPath(ctx.dataDir, r.sha256)) };
}

/** Media ids of an organisation among `ids`; the caller refuses the ones missing. */
export async function existingMediaIds(
  db: DbOrTx,
  organisationId: string,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('media')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** What a platform already holds for an image on an account (set by the publishing worker). */
export async function platformRef(
  db: DbOrTx,
  mediaId: string,
  accountId: string,
  kind: 'body_url' | 'thumb_media_id',
): Promise<string | null> {
  const r = await db
    .selectFrom('media_platform_refs')
    .select('value')
    .where('media_id', '=', mediaId)
    .where('account_id', '=', accountId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return r?.value ?? null;
}

export async function rememberPlatformRef(
  db: DbOrTx,
  mediaId: string,
  accountId: string,
  kind: 'body_url' | 'thumb_media_id',
  value: string,
): Promise<void> {
  await db
    .insertInto('media_platform_refs')
    .values({ media_id: mediaId, account_id: accountId, kind, value })
    .onConflict((oc) => oc.columns(['media_id', 'account_id', 'kind']).doUpdateSet({ value }))
    .execute();
}

/**
 * Removes an image from an organisation's library, unless a revision of any content refers to it
 * (revisions are history: their images stay). The file goes when no organisation has it any more.
 */
export async function deleteMedia(ctx: MediaContext, actor: Actor, id: string): Promise<void> {
  const r = await row(ctx.db, id);
  const used = await ctx.db
    .selectFrom('content_revisions')
    .innerJoin('contents', 'contents.id', 'content_revisions.content_id')
    .select('contents.id')
    .where('contents.organisation_id', '=', r.organisation_id)
    .where(sql<boolean>`strpos(content_revisions.body::text, ${r.id}) > 0`)
    .limit(5)
    .execute();
  if (used.length > 0)
    throw new AppError('MEDIA_IN_USE', 'The image is used by content', 409, {
      contentIds: [...new Set(used.map((u) => u.id))],
    });
  await ctx.db.deleteFrom('media').where('id', '=', id).execute();
  const others = await ctx.db
    .selectFrom('media')
    .select('id')
    .where('sha256', '=', r.sha256)
    .executeTakeFirst();
  if (!others) await unlink(mediaPath(ctx.dataDir, r.sha256)).catch(() => undefined);
  await recordAudit(ctx.db, {
    action: 'media.deleted',
    actorKind: 'user',
    actorUserId: actor.userId,
    actorRole: actor.role,
    targetType: 'media',
    targetId: r.id,
    organisationId: r.organisation_id,
    ip: actor.origin.ip,
    requestId: actor.origin.requestId,
    details: { sha256: r.sha256, name: r.original_name },
  });
}

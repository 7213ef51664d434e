import { hostname } from 'node:os';
import { sql } from 'kysely';
import {
  type AccountRef,
  type Edition,
  emptyProgress,
  type PlatformClient,
  PlatformError,
  type Publication,
  type PublishProgress,
  type PublishState,
  type WeiboPostContent,
} from '../../integrations/platform.js';
import type { ContentBody } from '../content/content.body.js';
import type { PublishErrorRecord } from '../content/content.table.js';
import { SYSTEM_ACTOR, transition } from '../content/content.workflow.js';
import { closeSlaRecord } from '../content/sla.js';
import type { Db, DbOrTx } from '../db/database.js';
import { errorMessage } from '../errors.js';
import { MEDIA_URL_PATTERN, platformRef, rememberPlatformRef } from '../media/media.service.js';
import type { PublishMetrics } from '../observability/metrics.js';
import { libraryMediaLoader } from './media-loader.js';

/**
 * Publishing one item, exactly once. The worker claims the item with a conditional update
 * (`scheduled → publishing`, with a lease), records every platform id as it happens, and ends it
 * published, failed (with the platform's reason for the editor), unconfirmed (the outcome of a send
 * is unknown: never re-sent blindly), or back in `scheduled` for a later retry.
 *
 * One publish at a time per account: the claim takes a transaction-level advisory lock on the
 * account and refuses while another item of the account holds a live lease.
 */
export interface PublisherDeps {
  db: Db;
  dataDir: string;
  platformFor(account: AccountRef): PlatformClient;
  /** Who holds the lease: `host:pid:…`. */
  workerId: string;
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Weibo wants the poster's real IP (`rip`); ours is the service's address. */
  weiboRip: string;
  now?: () => Date;
  /** Failed and unconfirmed items are announced here (alerts). */
  notify?: (event: PublishEvent) => Promise<void>;
  metrics?: PublishMetrics;
}

export interface PublishEvent {
  kind: 'publish_failed' | 'publish_unconfirmed';
  contentId: string;
  organisationId: string;
  title: string;
  reason: string;
}

export type PublishOutcome =
  | { kind: 'published' }
  | { kind: 'failed'; reason: string }
  | { kind: 'unconfirmed'; reason: string }
  /** The platform is still processing (freepublish): the reconciler settles it. */
  | { kind: 'pending' }
  /** Try again after `delayMs` (transient error, rate limit, or the account is busy). */
  | { kind: 'retry'; delayMs: number; reason: string }
  /** Nothing to do: not scheduled any more, another revision, or not due yet. */
  | { kind: 'skipped'; reason: string; delayMs?: number };

export const defaultWorkerId = () => `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

/** Exponential backoff with jitter: base·2^(n−1), scaled by a random factor in [0.5, 1], at most 10 minutes. */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(10 * 60_000, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/**
 * How long an item waits when its account is busy. A fallback: when the account's current publish
 * ends, the worker promotes the account's next due item at once (`nextDueOfAccount`).
 */
const BUSY_DELAY_MS = 3000;

/** The account's next due item, to run as soon as the account is free. */
export async function nextDueOfAccount(
  db: DbOrTx,
  contentId: string,
  now = new Date(),
): Promise<{ id: string; revision: number } | null> {
  const next = await db
    .selectFrom('contents as c')
    .innerJoin('contents as done', 'done.account_id', 'c.account_id')
    .select(['c.id', 'c.revision'])
    .where('done.id', '=', contentId)
    .where('c.id', '!=', contentId)
    .where('c.status', '=', 'scheduled')
    .where('c.scheduled_at', '<=', now)
    .orderBy('c.scheduled_at')
    .orderBy('c.id')
    .limit(1)
    .executeTakeFirst();
  return next ?? null;
}

interface Claimed {
  /** Scheduled time to claim, in ms. */
  latenessMs: number;
  organisationId: string;
  title: string;
  attempt: number;
  attemptId: string;
  account: AccountRef & { publishMode: 'masssend' | 'freepublish' | null };
  body: ContentBody;
  progress: PublishProgress;
}

type ClaimResult = { claimed: Claimed } | { outcome: PublishOutcome };

async function claim(
  deps: PublisherDeps,
  contentId: string,
  revision: number,
  now: Date,
): Promise<ClaimResult> {
  return deps.db.transaction().execute(async (tx) => {
    // One publish per account at a time: claims of the same account queue on this lock.
    const locked = await sql<{ account_id: string }>`
      select account_id, pg_advisory_xact_lock(hashtext('publish:' || account_id::text))
      from contents where id = ${contentId}`.execute(tx);
    if (locked.rows.length === 0) return { outcome: { kind: 'skipped', reason: 'no such content' } };
    const row = await tx
      .selectFrom('contents as c')
      .innerJoin('accounts as a', 'a.id', 'c.account_id')
      .leftJoin('content_revisions as r', (j) =>
        j.onRef('r.content_id', '=', 'c.id').on('r.revision', '=', revision),
      )
      .select((eb) => [
        'c.revision',
        'c.status',
        'c.scheduled_at',
        'c.attempts',
        'c.organisation_id',
        'c.title',
        'c.progress',
        'r.body',
        'a.id as account_id',
        'a.platform',
        'a.external_id',
        'a.sandbox',
        'a.publish_mode',
        eb
          .exists(
            eb
              .selectFrom('contents as other')
              .select('other.id')
              .whereRef('other.account_id', '=', 'c.account_id')
              .where('other.status', '=', 'publishing')
              .where('other.id', '!=', contentId),
          )
          .as('busy'),
      ])
      .where('c.id', '=', contentId)
      .forUpdate('c')
      .executeTakeFirstOrThrow();
    if (row.revision !== revision)
      return { outcome: { kind: 'skipped', reason: `revision is now ${row.revision}` } };
    if (row.status !== 'scheduled')
      return { outcome: { kind: 'skipped', reason: `status is ${row.status}` } };
    const due = row.scheduled_at ?? now;
    if (due.getTime() > now.getTime() + 1000)
      return { outcome: { kind: 'skipped', reason: 'not due yet', delayMs: due.getTime() - now.getTime() } };
    if (row.busy)
      return {
        outcome: {
          kind: 'retry',
          delayMs: BUSY_DELAY_MS + Math.round(Math.random() * BUSY_DELAY_MS),
          reason: 'account busy',
        },
      };
    if (!row.body) throw new Error(`content ${contentId} has no revision ${revision}`);
    const attempt = row.attempts + 1;
    const inserted = await tx
      .insertInto('publish_attempts')
      .values({ content_id: contentId, revision, attempt, worker: deps.workerId })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Last: the transition writes the audit row, whose chain lock is held until commit.
    await transition(tx, {
      contentId,
      action: 'start_publish',
      actor: SYSTEM_ACTOR,
      expectedFrom: 'scheduled',
      set: {
        lease_owner: deps.workerId,
        lease_until: new Date(now.getTime() + deps.leaseMs),
        attempts: attempt,
      },
      details: { attempt, worker: deps.workerId },
    });
    return {
      claimed: {
        latenessMs: Math.max(0, now.getTime() - due.getTime()),
        organisationId: row.organisation_id,
        title: row.title,
        attempt,
        attemptId: inserted.id,
        account: {
          accountId: row.account_id,
          platform: row.platform,
          externalId: row.external_id,
          sandbox: row.sandbox,
          publishMode: row.publish_mode,
        },
        body: row.body as ContentBody,
        progress: { ...emptyProgress(), ...(row.progress as Partial<PublishProgress>) },
      },
    };
  });
}

/** The platform's view of a revision: ids from our library, our idempotency key. */
export function publicationOf(
  contentId: string,
  revision: number,
  body: ContentBody,
  mode: 'masssend' | 'freepublish' | null,
  rip: string,
): Publication {
  const idempotencyKey = `yy-${contentId}-r${revision}`;
  if (body.kind === 'weibo_post')
    return { idempotencyKey, text: body.text, picture: body.pictureMediaId, rip } satisfies WeiboPostContent;
  return {
    idempotencyKey,
    mode: mode ?? 'masssend',
    articles: body.articles.map((a) => ({
      title: a.title,
      author: a.author,
      digest: a.digest,
      contentHtml: a.contentHtml,
      coverImage: a.coverMediaId ?? '',
      sourceUrl: a.sourceUrl,
      original: a.original,
      comments: a.comments,
    })),
  } satisfies Edition;
}

function errorRecord(err: unknown, now: Date): PublishErrorRecord {
  if (err instanceof PlatformError)
    return {
      kind: err.kind,
      code: err.detail.code === undefined ? null : String(err.detail.code),
      message: err.message,
      editorMessage: err.detail.editorMessage ?? `平台返回错误：${err.message}`,
      at: now.toISOString(),
    };
  return {
    kind: 'internal',
    code: null,
    message: errorMessage(err),
    editorMessage: '发布时出现内部错误',
    at: now.toISOString(),
  };
}

/** Ends an attempt row. */
async function endAttempt(
  db: DbOrTx,
  attemptId: string,
  outcome: 'published' | 'failed' | 'unconfirmed' | 'retry' | 'abandoned',
  error: PublishErrorRecord | null,
) {
  await db
    .updateTable('publish_attempts')
    .set({
      finished_at: new Date(),
      outcome,
      error_kind: error?.kind ?? null,
      error_code: error?.code ?? null,
      error_message: error?.editorMessage ?? null,
    })
    .where('id', '=', attemptId)
    .execute();
}

/** Published: status, time, article URLs, SLA outcome; and the images the platform now holds. */
export async function markPublished(
  db: Db,
  contentId: string,
  state: Extract<PublishState, { state: 'published' }>,
  at: Date,
  options: { reason?: string; attemptId?: string; from?: 'publishing' } = {},
): Promise<void> {
  const reason = options.reason ?? null;
  await db.transaction().execute(async (tx) => {
    await closeSlaRecord(tx, contentId, at);
    if (options.attemptId) await endAttempt(tx, options.attemptId, 'published', null);
    // Last: the audit row's chain lock is held until commit.
    await transition(tx, {
      contentId,
      action: 'mark_published',
      actor: SYSTEM_ACTOR,
      reason,
      expectedFrom: options.from,
      set: {
        published_at: at,
        published_urls: JSON.stringify(state.articles),
        lease_owner: null,
        lease_until: null,
        last_error: null,
      },
    });
  });
}

/**
 * Runs one publish of one revision. Platform errors become outcomes; anything else (the database
 * went away) propagates: the item keeps its lease and the reconciler settles it when the lease ends.
 */
export async function publishItem(
  deps: PublisherDeps,
  contentId: string,
  revision: number,
): Promise<PublishOutcome> {
  const now = () => deps.now?.() ?? new Date();
  const claimed = await claim(deps, contentId, revision, now());
  if ('outcome' in claimed) return claimed.outcome;
  const c = claimed.claimed;
  const platform = deps.platformFor(c.account);
  const publication = publicationOf(contentId, revision, c.body, c.account.publishMode, deps.weiboRip);
  const media = libraryMediaLoader(deps, c.organisationId, c.account.platform);
  const progress = await withKnownImages(deps.db, c, publication);

  // One statement per step: the lease is extended and the step is added to the attempt together.
  const record = async (p: PublishProgress) => {
    const step = JSON.stringify([{ step: describeStep(p), at: now().toISOString() }]);
    const updated = await sql<{ id: string }>`
      with item as (
        update contents
        set progress = ${JSON.stringify(p)}::jsonb, lease_until = ${new Date(now().getTime() + deps.leaseMs)}
        where id = ${contentId} and status = 'publishing' and lease_owner = ${deps.workerId}
        returning id
      )
      update publish_attempts set steps = steps || ${step}::jsonb
      where id = ${c.attemptId} and exists (select 1 from item)
      returning id`.execute(deps.db);
    if (updated.rows.length === 0) throw new Error('lease lost');
  };

  let done: PublishProgress;
  try {
    done =
      'text' in publication
        ? await platform.publishPost(c.account, publication, progress, record, media)
        : await platform.publishEdition(c.account, publication, progress, record, media);
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err;
    return settleError(deps, c, contentId, err, now());
  }
  await rememberImages(deps.db, c, publication, progress, done);

  // A mass send or a post is done when sent; a freepublish submission is processed asynchronously.
  let state: PublishState = { state: 'publishing' };
  for (const wait of [0, 500, 1000, 2000]) {
    if (wait) await new Promise((r) => setTimeout(r, wait));
    try {
      state = await platform.publishState(c.account, done, publication);
    } catch {
      state = { state: 'publishing' };
    }
    if (state.state !== 'publishing') break;
  }
  if (state.state === 'published') {
    await markPublished(deps.db, contentId, state, now(), { attemptId: c.attemptId, from: 'publishing' });
    return { kind: 'published' };
  }
  if (state.state === 'failed') {
    const error: PublishErrorRecord = {
      kind: 'platform_failed',
      code: null,
      message: state.reason,
      editorMessage: `平台处理失败：${state.reason}`,
      at: now().toISOString(),
    };
    await finish(deps, c, contentId, 'mark_failed', error);
    return { kind: 'failed', reason: error.editorMessage };
  }
  // Still processing on the platform: keep the lease; the reconciler asks again when it ends.
  return { kind: 'pending' };
}

function describeStep(p: PublishProgress): string {
  if (p.postId) return `微博已发布 ${p.postId}`;
  if (p.postSubmittedAt) return '微博已提交';
  if (p.msgId) return `群发已提交 msg_id=${p.msgId}`;
  if (p.publishId) return `发布已提交 publish_id=${p.publishId}`;
  if (p.draftMediaId) return `草稿已创建 ${p.draftMediaId}`;
  const covers = Object.keys(p.coverMediaIds).length;
  if (covers) return `封面已上传 ${covers} 张`;
  return `正文图片已上传 ${Object.keys(p.uploadedImages).length} 张`;
}

/** Body images this account already holds on WeChat need no second upload. */
async function withKnownImages(db: DbOrTx, c: Claimed, publication: Publication): Promise<PublishProgress> {
  if ('text' in publication) return c.progress;
  const p = structuredClone(c.progress);
  for (const article of publication.articles)
    for (const m of article.contentHtml.matchAll(MEDIA_URL_PATTERN)) {
      const ref = m[0];
      if (p.uploadedImages[ref]) continue;
      const known = await platformRef(db, m[1] as string, c.account.accountId, 'body_url');
      if (known) p.uploadedImages[ref] = known;
    }
  return p;
}

/**
 * Remembers the account's uploaded body images for later editions. Those `withKnownImages` took from
 * the library's records are there already; those of an earlier attempt of this item may not be.
 */
async function rememberImages(
  db: DbOrTx,
  c: Claimed,
  publication: Publication,
  before: PublishProgress,
  after: PublishProgress,
) {
  if ('text' in publication) return;
  for (const [ref, url] of Object.entries(after.uploadedImages)) {
    const fromRecords = before.uploadedImages[ref] === url && !c.progress.uploadedImages[ref];
    if (fromRecords) continue;
    const id = [...ref.matchAll(MEDIA_URL_PATTERN)][0]?.[1];
    if (id) await rememberPlatformRef(db, id, c.account.accountId, 'body_url', url);
  }
}

async function finish(
  deps: PublisherDeps,
  c: Claimed,
  contentId: string,
  action: 'mark_failed' | 'mark_unconfirmed',
  error: PublishErrorRecord,
) {
  await deps.db.transaction().execute((tx) =>
    transition(tx, {
      contentId,
      action,
      actor: SYSTEM_ACTOR,
      reason: error.editorMessage,
      set: {
        last_error: JSON.stringify(error),
        ...(action === 'mark_failed' ? { lease_owner: null, lease_until: null } : {}),
      },
    }),
  );
  await endAttempt(deps.db, c.attemptId, action === 'mark_failed' ? 'failed' : 'unconfirmed', error);
  await deps.notify?.({
    kind: action === 'mark_failed' ? 'publish_failed' : 'publish_unconfirmed',
    contentId,
    organisationId: c.organisationId,
    title: c.title,
    reason: error.editorMessage,
  });
}

const RETRYABLE = new Set(['transient', 'rate_limited', 'auth']);

async function settleError(
  deps: PublisherDeps,
  c: Claimed,
  contentId: string,
  err: PlatformError,
  now: Date,
): Promise<PublishOutcome> {
  const error = errorRecord(err, now);
  if (err.kind === 'unknown_outcome') {
    await finish(deps, c, contentId, 'mark_unconfirmed', error);
    return { kind: 'unconfirmed', reason: error.editorMessage };
  }
  if (RETRYABLE.has(err.kind) && c.attempt < deps.maxAttempts) {
    const delayMs =
      err.kind === 'rate_limited' && err.detail.retryAfterMs
        ? err.detail.retryAfterMs
        : backoffMs(c.attempt, deps.retryBaseMs);
    await deps.db.transaction().execute((tx) =>
      transition(tx, {
        contentId,
        action: 'release',
        actor: SYSTEM_ACTOR,
        reason: `第 ${c.attempt} 次发布未成功，稍后重试：${error.editorMessage}`,
        set: {
          scheduled_at: new Date(now.getTime() + delayMs),
          lease_owner: null,
          lease_until: null,
          last_error: JSON.stringify(error),
        },
      }),
    );
    await endAttempt(deps.db, c.attemptId, 'retry', error);
    return { kind: 'retry', delayMs, reason: error.editorMessage };
  }
  const final =
    RETRYABLE.has(err.kind) && c.attempt >= deps.maxAttempts
      ? { ...error, editorMessage: `已重试 ${c.attempt} 次仍未成功：${error.editorMessage}` }
      : error;
  await finish(deps, c, contentId, 'mark_failed', final);
  return { kind: 'failed', reason: final.editorMessage };
}

import type {
  AccountRef,
  PlatformClient,
  PublishProgress,
  PublishState,
} from '../../integrations/platform.js';
import { emptyProgress } from '../../integrations/platform.js';
import type { ContentBody } from '../content/content.body.js';
import { SYSTEM_ACTOR, type TransitionInput, transition } from '../content/content.workflow.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import type { PublishMetrics } from '../observability/metrics.js';
import type { PublishQueue } from './publish-queue.js';
import { markPublished, type PublishEvent, publicationOf } from './publisher.js';

/**
 * Runs every minute (a job scheduler) and repairs what a crash, a Redis flush or a lost answer left:
 *  (a) every scheduled item due within `lookaheadMs` gets its job if it has none, so a Redis restart
 *      or FLUSHALL loses nothing;
 *  (b) an item in `publishing` whose lease ended (its worker died) is settled by asking the platform:
 *      published → published; nothing was sent → back to `scheduled` (the next attempt resumes from
 *      the recorded ids); still processing → the lease is extended; otherwise → `unconfirmed`;
 *  (c) an `unconfirmed` item is settled only by the platform's answer: published or failed.
 * Never by publishing again.
 */
export interface ReconcilerDeps {
  db: Db;
  queue: PublishQueue;
  platformFor(account: AccountRef): PlatformClient;
  leaseMs: number;
  weiboRip: string;
  lookaheadMs?: number;
  notify?: (event: PublishEvent) => Promise<void>;
  metrics?: PublishMetrics;
}

export interface ReconcileReport {
  enqueued: number;
  published: number;
  released: number;
  unconfirmed: number;
  failed: number;
  extended: number;
  errors: number;
}

export async function reconcile(deps: ReconcilerDeps, now = new Date()): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    enqueued: 0,
    published: 0,
    released: 0,
    unconfirmed: 0,
    failed: 0,
    extended: 0,
    errors: 0,
  };
  const horizon = new Date(now.getTime() + (deps.lookaheadMs ?? 120_000));
  const due = await deps.db
    .selectFrom('contents')
    .select(['id', 'revision', 'scheduled_at'])
    .where('status', '=', 'scheduled')
    .where('scheduled_at', '<=', horizon)
    .execute();
  for (const item of due) {
    try {
      if ((await deps.queue.ensure(item.id, item.revision, item.scheduled_at ?? now)) === 'added')
        report.enqueued++;
    } catch {
      report.errors++;
    }
  }

  const stuck = await deps.db
    .selectFrom('contents')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'publishing'), eb('lease_until', '<', now)]),
        eb('status', '=', 'unconfirmed'),
      ]),
    )
    .execute();
  for (const { id } of stuck) {
    try {
      const result = await settle(deps, id, now);
      if (result) report[result]++;
    } catch {
      // The platform did not answer: the next run asks again.
      report.errors++;
    }
  }
  if (deps.metrics)
    for (const kind of ['enqueued', 'published', 'released', 'unconfirmed', 'failed', 'extended'] as const)
      await deps.metrics.repair(kind, report[kind]).catch(() => undefined);
  return report;
}

type Settled = 'published' | 'released' | 'unconfirmed' | 'failed' | 'extended' | null;

/** Asks the platform where one stuck or unconfirmed item stands and records the answer. */
export async function settle(deps: ReconcilerDeps, contentId: string, now = new Date()): Promise<Settled> {
  const row = await deps.db
    .selectFrom('contents')
    .innerJoin('accounts', 'accounts.id', 'contents.account_id')
    .innerJoin('content_revisions', (j) =>
      j
        .onRef('content_revisions.content_id', '=', 'contents.id')
        .onRef('content_revisions.revision', '=', 'contents.revision'),
    )
    .select([
      'contents.status',
      'contents.revision',
      'contents.lease_until',
      'contents.progress',
      'contents.organisation_id',
      'contents.title',
      'content_revisions.body',
      'accounts.id as account_id',
      'accounts.platform',
      'accounts.external_id',
      'accounts.sandbox',
      'accounts.publish_mode',
    ])
    .where('contents.id', '=', contentId)
    .executeTakeFirst();
  if (!row) return null;
  const leaseEnded = row.status === 'publishing' && (row.lease_until?.getTime() ?? 0) < now.getTime();
  if (!leaseEnded && row.status !== 'unconfirmed') return null;
  const account: AccountRef = {
    accountId: row.account_id,
    platform: row.platform,
    externalId: row.external_id,
    sandbox: row.sandbox,
  };
  const progress: PublishProgress = { ...emptyProgress(), ...(row.progress as Partial<PublishProgress>) };
  const publication = publicationOf(
    contentId,
    row.revision,
    row.body as ContentBody,
    row.publish_mode,
    deps.weiboRip,
  );
  const state: PublishState = await deps.platformFor(account).publishState(account, progress, publication);
  const sent = Boolean(progress.msgId || progress.publishId || progress.postId);

  // Each write is conditional on the status read (a worker or another reconciler may have moved
  // it meanwhile: then nothing is written). A failed or unconfirmed item is announced.
  const settleAs = async (
    action: 'release' | 'mark_failed' | 'mark_unconfirmed',
    reason: string,
    set: TransitionInput['set'] = {},
  ): Promise<boolean> => {
    const moved = await deps.db.transaction().execute(async (tx) => {
      try {
        await transition(tx, {
          contentId,
          action,
          actor: SYSTEM_ACTOR,
          reason,
          set,
          expectedFrom: row.status,
        });
        return true;
      } catch (err) {
        if (err instanceof AppError && err.code === 'CONTENT_CONFLICT') return false;
        throw err;
      }
    });
    if (moved && action !== 'release')
      await deps.notify?.({
        kind: action === 'mark_failed' ? 'publish_failed' : 'publish_unconfirmed',
        contentId,
        organisationId: row.organisation_id,
        title: row.title,
        reason,
      });
    return moved;
  };

  if (state.state === 'published') {
    await markPublished(deps.db, contentId, state, now, { reason: '对账：平台确认已发布' });
    return 'published';
  }
  if (state.state === 'failed') {
    if (row.status === 'publishing' && !sent) {
      // The worker died before anything was sent: the next attempt resumes from the recorded ids.
      const ok = await settleAs(
        'release',
        `对账：发布中断，平台未收到发布请求，重新排队（${state.reason}）`,
        {
          scheduled_at: now,
          lease_owner: null,
          lease_until: null,
        },
      );
      if (ok) await deps.queue.replace(contentId, row.revision, now).catch(() => undefined);
      return ok ? 'released' : null;
    }
    const reason = `对账：平台确认发布失败：${state.reason}`;
    const ok = await settleAs('mark_failed', reason, {
      lease_owner: null,
      lease_until: null,
      last_error: JSON.stringify({
        kind: 'platform_failed',
        code: null,
        message: state.reason,
        editorMessage: reason,
        at: now.toISOString(),
      }),
    });
    return ok ? 'failed' : null;
  }
  // Still open on the platform side.
  if (row.status === 'publishing' && sent) {
    await deps.db
      .updateTable('contents')
      .set({ lease_until: new Date(now.getTime() + deps.leaseMs) })
      .where('id', '=', contentId)
      .where('status', '=', 'publishing')
      .execute();
    return 'extended';
  }
  if (row.status === 'publishing') {
    const ok = await settleAs('mark_unconfirmed', '对账：发布中断且平台结果无法确认，请人工核实');
    return ok ? 'unconfirmed' : null;
  }
  return null;
}

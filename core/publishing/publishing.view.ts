import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';

/** What happened when publishing an item: attempts with their steps and errors, platform ids, outcome. */
export async function publishingView(db: DbOrTx, contentId: string, organisationId?: string | null) {
  const row = /^[0-9a-f-]{36}$/i.test(contentId)
    ? await db
        .selectFrom('contents')
        .select([
          'organisation_id',
          'status',
          'scheduled_at',
          'attempts',
          'progress',
          'published_at',
          'published_urls',
          'last_error',
          'lease_owner',
          'lease_until',
        ])
        .where('id', '=', contentId)
        .executeTakeFirst()
    : undefined;
  if (!row || (organisationId && row.organisation_id !== organisationId))
    throw new AppError('CONTENT_NOT_FOUND', 'No such content', 404, { id: contentId });
  const attempts = await db
    .selectFrom('publish_attempts')
    .selectAll()
    .where('content_id', '=', contentId)
    .orderBy('id')
    .execute();
  return {
    status: row.status,
    scheduledAt: row.scheduled_at?.toISOString() ?? null,
    attempts: row.attempts,
    platformIds: row.progress,
    publishedAt: row.published_at?.toISOString() ?? null,
    publishedUrls: row.published_urls,
    lastError: row.last_error,
    lease: row.lease_owner
      ? { worker: row.lease_owner, until: row.lease_until?.toISOString() ?? null }
      : null,
    history: attempts.map((a) => ({
      attempt: a.attempt,
      revision: a.revision,
      worker: a.worker,
      startedAt: a.started_at.toISOString(),
      finishedAt: a.finished_at?.toISOString() ?? null,
      outcome: a.outcome,
      error: a.error_kind ? { kind: a.error_kind, code: a.error_code, message: a.error_message } : null,
      steps: a.steps,
    })),
  };
}

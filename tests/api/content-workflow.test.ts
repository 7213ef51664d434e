import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTENT_ACTIONS,
  CONTENT_STATUSES,
  type ContentStatus,
  nextStatus,
  transition,
} from '../../core/content/content.workflow.js';
import type { Db } from '../../core/db/database.js';
import { createMigratedDatabase, type TestDatabase } from '../helpers/services.js';

/**
 * The one writer of status, on real PostgreSQL: every (status, action) pair is tried on its own row.
 * An allowed pair changes the status and writes one timeline row and one audit row in the same
 * transaction; a refused pair leaves the row, the timeline and the audit log exactly as they were.
 */
describe('content.workflow transition() on PostgreSQL: every allowed and every forbidden pair', () => {
  let database: TestDatabase & { db: Db };
  let accountId: string;
  let orgId: string;

  beforeAll(async () => {
    database = await createMigratedDatabase();
    const org = await database.db
      .insertInto('organisations')
      .values({ slug: 'wf', name: '流程测试' })
      .returning('id')
      .executeTakeFirstOrThrow();
    orgId = org.id;
    const account = await database.db
      .insertInto('accounts')
      .values({
        organisation_id: orgId,
        platform: 'weibo',
        name: '流程微博',
        external_id: '1234567',
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    accountId = account.id;
  }, 60_000);
  afterAll(async () => {
    await database?.drop();
  });

  const seed = async (status: ContentStatus) =>
    (
      await database.db
        .insertInto('contents')
        .values({
          organisation_id: orgId,
          account_id: accountId,
          kind: 'weibo_post',
          status,
          title: status,
          publish_at: null,
          scheduled_at: null,
          approved_revision: null,
          created_by: null,
          updated_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const trail = async (id: string) => ({
    status: (
      await database.db.selectFrom('contents').select('status').where('id', '=', id).executeTakeFirstOrThrow()
    ).status,
    timeline: (
      await database.db.selectFrom('content_transitions').selectAll().where('content_id', '=', id).execute()
    ).length,
    audit: (
      await database.db.selectFrom('audit_log').select('action').where('target_id', '=', id).execute()
    ).map((a) => a.action),
  });

  it('applies the 26 allowed transitions and refuses the other 104, changing nothing', async () => {
    let allowed = 0;
    let refused = 0;
    for (const from of CONTENT_STATUSES) {
      for (const action of CONTENT_ACTIONS) {
        const id = await seed(from);
        const to = nextStatus(from, action);
        const attempt = database.db
          .transaction()
          .execute((tx) =>
            transition(tx, { contentId: id, action, actor: { userId: null, role: 'system' }, reason: 't' }),
          );
        if (to) {
          await expect(attempt).resolves.toEqual({ from, to, revision: 1 });
          expect(await trail(id)).toEqual({ status: to, timeline: 1, audit: [`content.${action}`] });
          allowed++;
        } else {
          await expect(attempt).rejects.toMatchObject({
            status: 409,
            code:
              action === 'edit' && ['publishing', 'published', 'unconfirmed', 'cancelled'].includes(from)
                ? 'CONTENT_LOCKED'
                : 'INVALID_TRANSITION',
          });
          expect(await trail(id)).toEqual({ status: from, timeline: 0, audit: [] });
          refused++;
        }
      }
    }
    expect([allowed, refused]).toEqual([26, 104]);
  });

  it('two racing claims of one scheduled item: exactly one wins', async () => {
    const id = await seed('scheduled');
    const claim = () =>
      database.db
        .transaction()
        .execute((tx) =>
          transition(tx, { contentId: id, action: 'start_publish', actor: { userId: null, role: 'system' } }),
        );
    const results = await Promise.allSettled([claim(), claim(), claim()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await trail(id)).toMatchObject({ status: 'publishing', timeline: 1 });
  });

  it('the database refuses a status outside the workflow, whoever writes it', async () => {
    const id = await seed('draft');
    await expect(
      database.db
        .updateTable('contents')
        .set({ status: 'archived' as never })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });
});

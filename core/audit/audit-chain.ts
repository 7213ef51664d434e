import { sql } from 'kysely';
import type { Db, DbOrTx } from '../db/database.js';
import { recordAudit } from './audit.repository.js';

export type ChainVerdict =
  | { ok: true; checked: number }
  | { ok: false; checked: number; brokenAt: string; reason: 'altered' | 'missing_previous' | 'bad_anchor' };

export const MIN_RETENTION_DAYS = 180;

/**
 * Walks the audit log in id order and recomputes every row's hash with the database's own digest
 * function. A row whose content changed fails as `altered`; a row whose prev_hash is not the previous
 * row's hash means rows were removed (`missing_previous`). The oldest remaining row may point at a
 * purged row only if a purge recorded it as the new anchor.
 */
export async function verifyAuditChain(
  db: DbOrTx,
  opts: { batchSize?: number; onProgress?: (checked: number) => void } = {},
): Promise<ChainVerdict> {
  const batchSize = opts.batchSize ?? 5000;
  let checked = 0;
  let lastId = '0';
  let lastHash: string | null = null;
  for (;;) {
    const rows = (
      await sql<{ id: string; prev_hash: string | null; hash: string; expected: string }>`
        select a.id::text as id, a.prev_hash, a.hash, audit_row_digest(a.prev_hash, a) as expected
        from audit_log a where a.id > ${lastId}::bigint order by a.id limit ${batchSize}`.execute(db)
    ).rows;
    if (rows.length === 0) return { ok: true, checked };
    for (const r of rows) {
      if (checked === 0 && r.prev_hash !== null) {
        const anchored = await sql<{ n: string }>`
          select count(*) as n from audit_log
          where action = 'audit.purged' and details->>'oldestKeptId' = ${r.id} and details->>'anchorPrevHash' = ${r.prev_hash}`.execute(
          db,
        );
        if (Number(anchored.rows[0]?.n ?? 0) === 0)
          return { ok: false, checked, brokenAt: r.id, reason: 'bad_anchor' };
      } else if (checked > 0 && r.prev_hash !== lastHash) {
        return { ok: false, checked, brokenAt: r.id, reason: 'missing_previous' };
      }
      if (r.hash !== r.expected) return { ok: false, checked, brokenAt: r.id, reason: 'altered' };
      checked++;
      lastHash = r.hash;
      lastId = r.id;
    }
    opts.onProgress?.(checked);
  }
}

/**
 * Removes audit rows older than the retention period (never under 180 days: 网络安全法 §21 asks for six
 * months) and records that it ran, with the new oldest row as the chain's anchor.
 */
export async function purgeAudit(
  db: Db,
  retentionDays: number,
): Promise<{ deleted: number; oldestKeptId: string | null }> {
  if (!Number.isInteger(retentionDays) || retentionDays < MIN_RETENTION_DAYS)
    throw new Error(`Audit retention must be at least ${MIN_RETENTION_DAYS} days, got ${retentionDays}`);
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('yunying.audit_retention_days', ${String(retentionDays)}, true)`.execute(tx);
    const deleted =
      await sql`delete from audit_log where occurred_at < now() - make_interval(days => ${retentionDays})`.execute(
        tx,
      );
    const oldest = (
      await sql<{
        id: string;
        prev_hash: string | null;
      }>`select id::text as id, prev_hash from audit_log order by audit_log.id limit 1`.execute(tx)
    ).rows[0];
    const count = Number(deleted.numAffectedRows ?? 0);
    await recordAudit(tx, {
      action: 'audit.purged',
      actorKind: 'system',
      details: {
        deleted: count,
        retentionDays,
        oldestKeptId: oldest?.id ?? null,
        anchorPrevHash: oldest?.prev_hash ?? null,
      },
    });
    return { deleted: count, oldestKeptId: oldest?.id ?? null };
  });
}

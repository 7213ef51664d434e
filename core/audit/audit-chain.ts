import { sql } from 'kysely';
import type { Db, DbOrTx } from '../db/database.js';
import { recordAudit } from './audit.repository.js';

export type ChainBreak = 'altered' | 'missing_previous' | 'bad_anchor';
export type ChainVerdict =
  | { ok: true; checked: number }
  | { ok: false; checked: number; brokenAt: string; reason: ChainBreak };

/** 网络安全法 §21 asks for at least six months of logs. */
export const MIN_RETENTION_DAYS = 180;

/** The advisory lock the audit_log_chain trigger takes (migration 2026_11_23_090100); same key. */
const CHAIN_LOCK_KEY = 7468327001;

const PURGED = 'audit.purged';

interface ChainRow {
  id: string;
  prev_hash: string | null;
  hash: string;
  expected: string;
}

/**
 * Walks the audit log in id order and recomputes every row's hash with the database's own digest
 * function. A row whose content changed fails as `altered`; a row whose prev_hash is not the previous
 * row's hash means rows were removed (`missing_previous`). The oldest row may follow a removed row only
 * as the anchor recorded by the latest purge; with no purge ever, it must be the first row ever
 * (`bad_anchor` otherwise). Reads one snapshot, so rows written or purged meanwhile do not confuse it.
 */
export async function verifyAuditChain(
  db: DbOrTx,
  opts: { batchSize?: number; onProgress?: (checked: number) => void } = {},
): Promise<ChainVerdict> {
  const walk = (tx: DbOrTx) => walkChain(tx, opts.batchSize ?? 5000, opts.onProgress);
  if (db.isTransaction) return walk(db);
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(walk);
}

async function walkChain(
  db: DbOrTx,
  batchSize: number,
  onProgress: ((checked: number) => void) | undefined,
): Promise<ChainVerdict> {
  let checked = 0;
  let lastId = '0';
  let lastHash: string | null = null;
  for (;;) {
    const { rows } = await sql<ChainRow>`
      select a.id::text as id, a.prev_hash, a.hash, audit_row_digest(a.prev_hash, a) as expected
      from audit_log a where a.id > ${lastId}::bigint order by a.id limit ${batchSize}`.execute(db);
    if (rows.length === 0) return { ok: true, checked };
    for (const r of rows) {
      if (checked === 0) {
        if (!(await isAnchor(db, r))) return { ok: false, checked, brokenAt: r.id, reason: 'bad_anchor' };
      } else if (r.prev_hash !== lastHash) {
        return { ok: false, checked, brokenAt: r.id, reason: 'missing_previous' };
      }
      if (r.hash !== r.expected) return { ok: false, checked, brokenAt: r.id, reason: 'altered' };
      checked++;
      lastHash = r.hash;
      lastId = r.id;
    }
    onProgress?.(checked);
  }
}

/**
 * Whether the oldest remaining row may start the chain. Only a purge deletes rows, and every purge
 * records the oldest row it kept, so the latest purge names the current first row (or, when it emptied
 * the log, its own row starts the chain).
 */
async function isAnchor(db: DbOrTx, first: ChainRow): Promise<boolean> {
  // (audit_log.id, not the text alias: '10' sorts before '8')
  const { rows } = await sql<{ id: string; kept: string | null; anchor: string | null }>`
    select id::text as id, details->>'oldestKeptId' as kept, details->>'anchorPrevHash' as anchor
    from audit_log where action = ${PURGED} and actor_kind = 'system'
    order by audit_log.id desc limit 1`.execute(db);
  const purge = rows[0];
  if (!purge) return first.prev_hash === null;
  if (purge.kept === null) return first.id === purge.id && first.prev_hash === null;
  return first.id === purge.kept && first.prev_hash === purge.anchor;
}

/**
 * Removes audit rows older than the retention period and records that it ran, with the new oldest row
 * as the chain's anchor. It removes only the longest run of old rows from the start of the chain: an old
 * row written after a recent one (an import, a long transaction) waits, since a hole in the middle would
 * break verification.
 */
export async function purgeAudit(
  db: Db,
  retentionDays: number,
): Promise<{ deleted: number; oldestKeptId: string | null }> {
  if (!Number.isInteger(retentionDays) || retentionDays < MIN_RETENTION_DAYS)
    throw new Error(`Audit retention must be at least ${MIN_RETENTION_DAYS} days, got ${retentionDays}`);
  return db.transaction().execute(async (tx) => {
    // Writers wait until the purge row is in, so none chains to a row being deleted.
    await sql`select pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`.execute(tx);
    await sql`select set_config('yunying.audit_retention_days', ${String(retentionDays)}, true)`.execute(tx);
    const cutoff = sql`now() - make_interval(days => ${retentionDays})`;
    const deleted = await sql`
      delete from audit_log where occurred_at < ${cutoff}
      and id < coalesce((select min(id) from audit_log where occurred_at >= ${cutoff}), 9223372036854775807)`.execute(
      tx,
    );
    const { rows } = await sql<{ id: string; prev_hash: string | null }>`
      select id::text as id, prev_hash from audit_log order by audit_log.id limit 1`.execute(tx);
    const oldest = rows[0] ?? null;
    const count = Number(deleted.numAffectedRows ?? 0);
    await recordAudit(tx, {
      action: PURGED,
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

import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Keyring } from './keyring.js';
import { decryptSecret, encryptSecret } from './secret-box.js';
import { secretContext } from './secrets.repository.js';

export type RotationReport = { secrets: number; totpSecrets: number; alreadyCurrent: number };

interface EncryptedColumn {
  /** The report counter that re-encrypted values of this column add to. */
  counter: Exclude<keyof RotationReport, 'alreadyCurrent'>;
  table: string;
  idColumn: string;
  column: string;
  /** A plain-text copy of the key id kept beside the envelope, updated with it. */
  keyIdColumn: string | null;
  /** Columns the AAD context is built from (besides the id). */
  contextColumns: readonly string[];
  context: (row: Record<string, string>) => string;
}

/**
 * Every encrypted column, with how its AAD context is built (the same context its writer uses). A new
 * table with a secret adds a line here and `keys:rotate` and `keys:status` cover it.
 */
const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  {
    counter: 'secrets',
    table: 'secrets',
    idColumn: 'id',
    column: 'ciphertext',
    keyIdColumn: 'key_id',
    contextColumns: ['owner_type', 'owner_id', 'name'],
    context: (r) =>
      secretContext({ ownerType: r.owner_type ?? '', ownerId: r.owner_id ?? '', name: r.name ?? '' }),
  },
  {
    counter: 'totpSecrets',
    table: 'users',
    idColumn: 'id',
    column: 'totp_secret',
    keyIdColumn: null,
    contextColumns: [],
    // As totpSecretContext in core/identity/login.service.ts (the rotation test checks they agree).
    context: (r) => `users.totp_secret:${r.id}`,
  },
];

const BATCH = 200;

/**
 * Re-encrypts every value not under the current key, BATCH rows per transaction. Idempotent; a value
 * whose key is missing from the keyring stops the run with an error naming the key (the batch in
 * progress rolls back, so nothing is half-written).
 */
export async function rotateKeys(
  db: Db,
  keyring: Keyring,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<RotationReport> {
  const report: RotationReport = { secrets: 0, totpSecrets: 0, alreadyCurrent: 0 };
  const currentPrefix = `v1.${keyring.current.id}.`;
  const total = (await keyUsage(db)).reduce((n, u) => n + u.values, 0);
  let done = 0;
  for (const c of ENCRYPTED_COLUMNS) {
    const id = sql.ref(c.idColumn);
    const value = sql.ref(c.column);
    const extra = c.contextColumns.map((name) => sql`, ${sql.ref(name)}::text as ${sql.ref(name)}`);
    let after = '';
    for (;;) {
      const batch = await db.transaction().execute(async (tx) => {
        const { rows } = await sql<Record<string, string> & { id: string; value: string }>`
          select ${id}::text as id, ${value} as value ${sql.join(extra, sql``)}
          from ${sql.table(c.table)}
          where ${value} is not null and ${id}::text > ${after}
          order by ${id}::text limit ${BATCH} for update`.execute(tx);
        const changed = { count: 0, current: 0 };
        for (const r of rows) {
          if (r.value.startsWith(currentPrefix)) {
            changed.current++;
            continue;
          }
          const context = c.context(r);
          const next = encryptSecret(keyring, decryptSecret(keyring, r.value, context), context);
          const setKeyId = c.keyIdColumn ? sql`, ${sql.ref(c.keyIdColumn)} = ${keyring.current.id}` : sql``;
          await sql`update ${sql.table(c.table)} set ${value} = ${next} ${setKeyId}
            where ${id}::text = ${r.id}`.execute(tx);
          changed.count++;
        }
        return { rows, changed };
      });
      if (batch.rows.length === 0) break;
      // Counted only once the batch has committed.
      report[c.counter] += batch.changed.count;
      report.alreadyCurrent += batch.changed.current;
      done += batch.rows.length;
      after = batch.rows[batch.rows.length - 1]?.id ?? after;
      opts.onProgress?.(done, total);
    }
  }
  return report;
}

/** How many encrypted values each key id protects, across every encrypted column. */
export async function keyUsage(db: Db): Promise<Array<{ keyId: string; values: number }>> {
  const values = ENCRYPTED_COLUMNS.map(
    (c) =>
      sql`select ${sql.ref(c.column)} as v from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null`,
  );
  const { rows } = await sql<{ key_id: string; n: string }>`
    select split_part(v, '.', 2) as key_id, count(*) as n
    from (${sql.join(values, sql` union all `)}) s
    group by 1 order by 1`.execute(db);
  return rows.map((r) => ({ keyId: r.key_id, values: Number(r.n) }));
}

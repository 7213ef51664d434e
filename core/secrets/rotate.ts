import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Keyring } from './keyring.js';
import { decryptSecret, encryptSecret, envelopeKeyId } from './secret-box.js';

/**
 * Every encrypted column, with how its AAD context is built. A new table with a secret adds a line
 * here and `keys:rotate` covers it.
 */
const ENCRYPTED_COLUMNS = [
  {
    name: 'secrets',
    table: 'secrets',
    column: 'ciphertext',
    keyIdColumn: 'key_id',
    context: (r: Record<string, unknown>) => `secrets:${r.owner_type}:${r.owner_id}:${r.name}`,
    extra: ['owner_type', 'owner_id', 'name'],
  },
  {
    name: 'totpSecrets',
    table: 'users',
    column: 'totp_secret',
    keyIdColumn: null,
    context: (r: Record<string, unknown>) => `users.totp_secret:${r.id}`,
    extra: [],
  },
] as const;

export type RotationReport = { secrets: number; totpSecrets: number; alreadyCurrent: number };

/**
 * Re-encrypts every value not under the current key, 200 rows per transaction. Idempotent; a value
 * whose key is missing from the keyring stops the run with an error naming the key (the batch in
 * progress rolls back, nothing is half-written).
 */
export async function rotateKeys(
  db: Db,
  keyring: Keyring,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<RotationReport> {
  const report: RotationReport = { secrets: 0, totpSecrets: 0, alreadyCurrent: 0 };
  const current = `v1.${keyring.current.id}.`;
  for (const c of ENCRYPTED_COLUMNS) {
    const total = Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null`.execute(db)
      ).rows[0]?.n ?? 0,
    );
    let done = 0;
    let after = '';
    for (;;) {
      const batch = await db.transaction().execute(async (tx) => {
        const rows = (
          await sql<Record<string, unknown> & { id: string; value: string }>`
            select id::text as id, ${sql.ref(c.column)} as value ${sql.raw(c.extra.map((e) => `, ${e}`).join(''))}
            from ${sql.table(c.table)}
            where ${sql.ref(c.column)} is not null and id::text > ${after}
            order by id::text limit 200 for update`.execute(tx)
        ).rows;
        for (const r of rows) {
          if (r.value.startsWith(current)) {
            report.alreadyCurrent++;
            continue;
          }
          envelopeKeyId(r.value);
          const plain = decryptSecret(keyring, r.value, c.context(r));
          const next = encryptSecret(keyring, plain, c.context(r));
          await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${next}
            ${c.keyIdColumn ? sql`, ${sql.ref(c.keyIdColumn)} = ${keyring.current.id}` : sql``}
            where id::text = ${r.id}`.execute(tx);
          report[c.name]++;
        }
        return rows;
      });
      if (batch.length === 0) break;
      done += batch.length;
      after = batch[batch.length - 1]?.id ?? after;
      opts.onProgress?.(done, total);
    }
  }
  return report;
}

/** How many encrypted values each key id protects. */
export async function keyUsage(db: Db): Promise<Array<{ keyId: string; values: number }>> {
  const rows = await sql<{ key_id: string; n: string }>`
    select split_part(v, '.', 2) as key_id, count(*) as n from (
      select ciphertext as v from secrets union all select totp_secret from users where totp_secret is not null
    ) s group by 1 order by 1`.execute(db);
  return rows.rows.map((r) => ({ keyId: r.key_id, values: Number(r.n) }));
}

import { sql } from 'kysely';
import type { DbOrTx } from '../db/database.js';
import type { Keyring } from './keyring.js';
import { decryptSecret, encryptSecret } from './secret-box.js';

export interface SecretRef {
  ownerType: string;
  ownerId: string;
  name: string;
}

export function secretContext(ref: SecretRef): string {
  return `secrets:${ref.ownerType}:${ref.ownerId}:${ref.name}`;
}

/** Stores (or replaces) a secret, encrypted. Auditing the change is the caller's job. */
export async function putSecret(
  db: DbOrTx,
  keyring: Keyring,
  ref: SecretRef & { value: string },
): Promise<void> {
  const ciphertext = encryptSecret(keyring, ref.value, secretContext(ref));
  await db
    .insertInto('secrets')
    .values({
      owner_type: ref.ownerType,
      owner_id: ref.ownerId,
      name: ref.name,
      ciphertext,
      key_id: keyring.current.id,
    })
    .onConflict((oc) =>
      oc
        .columns(['owner_type', 'owner_id', 'name'])
        .doUpdateSet({ ciphertext, key_id: keyring.current.id, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export async function readSecret(db: DbOrTx, keyring: Keyring, ref: SecretRef): Promise<string | null> {
  const row = await db
    .selectFrom('secrets')
    .select('ciphertext')
    .where('owner_type', '=', ref.ownerType)
    .where('owner_id', '=', ref.ownerId)
    .where('name', '=', ref.name)
    .executeTakeFirst();
  return row ? decryptSecret(keyring, row.ciphertext, secretContext(ref)) : null;
}

export async function deleteSecret(db: DbOrTx, ref: SecretRef): Promise<boolean> {
  const r = await db
    .deleteFrom('secrets')
    .where('owner_type', '=', ref.ownerType)
    .where('owner_id', '=', ref.ownerId)
    .where('name', '=', ref.name)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Which secrets an owner has, and when each was last set — never the values. */
export async function listSecretNames(
  db: DbOrTx,
  owner: { ownerType: string; ownerId: string },
): Promise<Array<{ name: string; updatedAt: Date }>> {
  const rows = await db
    .selectFrom('secrets')
    .select(['name', 'updated_at'])
    .where('owner_type', '=', owner.ownerType)
    .where('owner_id', '=', owner.ownerId)
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ name: r.name, updatedAt: r.updated_at }));
}

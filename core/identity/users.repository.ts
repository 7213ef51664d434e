import { type Selectable, sql } from 'kysely';
import type { DbOrTx } from '../db/database.js';
import type { Role, UsersTable } from './identity.table.js';

export type UserRow = Selectable<UsersTable>;

export async function findUserByUsername(db: DbOrTx, username: string): Promise<UserRow | null> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
  return row ?? null;
}

export async function findUserById(db: DbOrTx, id: string): Promise<UserRow | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ?? null;
}

/** Locks the row for the rest of the transaction (password changes, handover). */
export async function findUserForUpdate(db: DbOrTx, id: string): Promise<UserRow | null> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  return row ?? null;
}

export async function insertUser(
  db: DbOrTx,
  u: {
    username: string;
    displayName: string;
    role: Role;
    organisationId: string | null;
    passwordHash: string;
    mustChangePassword: boolean;
  },
): Promise<UserRow> {
  const row = await db
    .insertInto('users')
    .values({
      username: u.username,
      display_name: u.displayName,
      role: u.role,
      organisation_id: u.organisationId,
      password_hash: u.passwordHash,
      password_changed_at: sql<Date>`now()`,
      must_change_password: u.mustChangePassword,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // The first password is history too: it may not come back among the next five.
  await db
    .insertInto('password_history')
    .values({ user_id: row.id, password_hash: u.passwordHash })
    .execute();
  return row;
}

export async function countUsers(db: DbOrTx): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function activeSuperadmin(db: DbOrTx): Promise<UserRow | null> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('role', '=', 'superadmin')
    .where('status', '=', 'active')
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Counts a failed attempt in one statement (no lost updates under concurrency) and locks the account
 * when the count reaches `maxFailures`. Returns the new count and the lock, if any.
 */
export async function recordLoginFailure(
  db: DbOrTx,
  userId: string,
  maxFailures: number,
  lockMinutes: number,
): Promise<{ failures: number; lockedUntil: Date | null }> {
  // A lock that has run out starts a new count: the next failure is the first, not the sixth.
  const previous = sql<number>`(case when locked_until <= now() then 0 else failed_login_count end)`;
  const r = await db
    .updateTable('users')
    .set({
      failed_login_count: sql<number>`${previous} + 1`,
      locked_until: sql<Date | null>`case when ${previous} + 1 >= ${maxFailures}
        then now() + make_interval(mins => ${lockMinutes})
        when locked_until <= now() then null else locked_until end`,
    })
    .where('id', '=', userId)
    .returning(['failed_login_count', 'locked_until'])
    .executeTakeFirstOrThrow();
  return { failures: r.failed_login_count, lockedUntil: r.locked_until };
}

export async function recordLoginSuccess(db: DbOrTx, userId: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ failed_login_count: 0, locked_until: null, last_login_at: sql<Date>`now()` })
    .where('id', '=', userId)
    .execute();
}

export async function setPassword(
  db: DbOrTx,
  userId: string,
  passwordHash: string,
  mustChange: boolean,
): Promise<void> {
  await db
    .updateTable('users')
    .set({
      password_hash: passwordHash,
      password_changed_at: sql<Date>`now()`,
      must_change_password: mustChange,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', userId)
    .execute();
  await db.insertInto('password_history').values({ user_id: userId, password_hash: passwordHash }).execute();
}

/** The latest `n` password hashes of a user, the current one included. */
export async function recentPasswordHashes(db: DbOrTx, userId: string, n: number): Promise<string[]> {
  const rows = await db
    .selectFrom('password_history')
    .select('password_hash')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(n)
    .execute();
  return rows.map((r) => r.password_hash);
}

export async function setTotp(
  db: DbOrTx,
  userId: string,
  t: { secret: string | null; enabled: boolean; lastStep: number | null },
): Promise<void> {
  await db
    .updateTable('users')
    .set({
      totp_secret: t.secret,
      totp_enabled_at: t.enabled ? sql<Date>`now()` : null,
      totp_last_step: t.lastStep,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', userId)
    .execute();
}

/** Records the TOTP step just used, only if it is newer than the last one (no replay, even concurrent). */
export async function advanceTotpStep(db: DbOrTx, userId: string, step: number): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function replaceRecoveryCodes(db: DbOrTx, userId: string, hashes: string[]): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_codes')
    .values(hashes.map((h) => ({ user_id: userId, code_hash: h })))
    .execute();
}

/** Marks an unused recovery code used; false when there is none (wrong, or already used). */
export async function useRecoveryCode(db: DbOrTx, userId: string, hash: string): Promise<boolean> {
  const r = await db
    .updateTable('recovery_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function unusedRecoveryCodeCount(db: DbOrTx, userId: string): Promise<number> {
  const r = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

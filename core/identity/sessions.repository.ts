import { sql } from 'kysely';
import type { DbOrTx } from '../db/database.js';
import type { Role, SessionStage, Surface } from './identity.table.js';

export interface SessionRow {
  idHash: string;
  userId: string;
  surface: Surface;
  stage: SessionStage;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  user: {
    id: string;
    username: string;
    displayName: string;
    role: Role;
    organisationId: string | null;
    status: 'active' | 'disabled';
    passwordChangedAt: Date | null;
    mustChangePassword: boolean;
    totpEnabled: boolean;
  };
}

export async function insertSession(
  db: DbOrTx,
  s: {
    idHash: string;
    userId: string;
    surface: Surface;
    stage: SessionStage;
    ip: string | null;
    userAgent: string | null;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      user_id: s.userId,
      surface: s.surface,
      stage: s.stage,
      ip: s.ip,
      user_agent: s.userAgent?.slice(0, 400) ?? null,
      expires_at: s.expiresAt,
    })
    .execute();
}

/** A live (not revoked) session with its user, or null. Expiry is the caller's decision. */
export async function findLiveSession(db: DbOrTx, idHash: string): Promise<SessionRow | null> {
  const r = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id_hash',
      's.user_id',
      's.surface',
      's.stage',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      'u.username',
      'u.display_name',
      'u.role',
      'u.organisation_id',
      'u.status',
      'u.password_changed_at',
      'u.must_change_password',
      'u.totp_enabled_at',
    ])
    .where('s.id_hash', '=', idHash)
    .where('s.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!r) return null;
  return {
    idHash: r.id_hash,
    userId: r.user_id,
    surface: r.surface,
    stage: r.stage,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    user: {
      id: r.user_id,
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      organisationId: r.organisation_id,
      status: r.status,
      passwordChangedAt: r.password_changed_at,
      mustChangePassword: r.must_change_password,
      totpEnabled: r.totp_enabled_at !== null,
    },
  };
}

export async function touchSession(db: DbOrTx, idHash: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: sql<Date>`now()` })
    .where('id_hash', '=', idHash)
    .execute();
}

export async function revokeSession(db: DbOrTx, idHash: string, reason: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('id_hash', '=', idHash)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Revokes every live session of a user except `keepIdHash`; returns how many were revoked. */
export async function revokeUserSessions(
  db: DbOrTx,
  userId: string,
  reason: string,
  keepIdHash?: string,
): Promise<number> {
  let q = db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepIdHash) q = q.where('id_hash', '!=', keepIdHash);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

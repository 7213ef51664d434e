import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DbOrTx } from '../db/database.js';
import type { Keyring } from '../secrets/keyring.js';
import type { SessionStage, Surface } from './identity.table.js';
import {
  findLiveSession,
  insertSession,
  revokeSession,
  type SessionRow,
  touchSession,
} from './sessions.repository.js';

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
  passwordMaxAgeDays: number;
}

export interface ResolvedSession extends SessionRow {
  /** The stage that applies now: a full session whose password expired since login must change it. */
  effectiveStage: SessionStage;
}

/** last_seen_at is written at most this often, so a busy session does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export function passwordExpired(changedAt: Date | null, maxAgeDays: number, now = Date.now()): boolean {
  return changedAt !== null && now - changedAt.getTime() > maxAgeDays * 86_400_000;
}

/** Creates a session with a fresh random id (256 bits); only its hash is stored. */
export async function startSession(
  db: DbOrTx,
  s: { userId: string; surface: Surface; stage: SessionStage; ip: string | null; userAgent: string | null },
  policy: SessionPolicy,
): Promise<{ id: string; expiresAt: Date }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + policy.maxHours * 3_600_000);
  await insertSession(db, { ...s, idHash: hashSessionId(id), expiresAt });
  return { id, expiresAt };
}

/**
 * The live session for a cookie value, or null when it is unknown, revoked, idle too long, past its
 * absolute lifetime or its user is disabled (those are revoked on the way, with the reason).
 */
export async function resolveSession(
  db: DbOrTx,
  id: string,
  policy: SessionPolicy,
  now = Date.now(),
): Promise<ResolvedSession | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
  const idHash = hashSessionId(id);
  const s = await findLiveSession(db, idHash);
  if (!s) return null;
  let ended: string | null = null;
  if (s.user.status !== 'active') ended = 'user_disabled';
  else if (now >= s.expiresAt.getTime()) ended = 'expired';
  else if (now - s.lastSeenAt.getTime() > policy.idleMinutes * 60_000) ended = 'idle_timeout';
  if (ended) {
    await revokeSession(db, idHash, ended);
    return null;
  }
  if (now - s.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(db, idHash);
  const expired = passwordExpired(s.user.passwordChangedAt, policy.passwordMaxAgeDays, now);
  return { ...s, effectiveStage: s.stage === 'full' && expired ? 'password_change' : s.stage };
}

/**
 * CSRF token of a session: an HMAC of the session id under a key derived from the encryption key.
 * Nothing is stored, a token is useless for any other session, and a page reads it from
 * `GET /api/auth/session` (never from the HttpOnly cookie).
 */
export function csrfTokenFor(keyring: Keyring, sessionId: string): string {
  const key = Buffer.from(hkdfSync('sha256', keyring.current.key, 'yunying', 'csrf v1', 32));
  return createHmac('sha256', key).update(sessionId).digest('base64url');
}

export function csrfTokenMatches(keyring: Keyring, sessionId: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(keyring, sessionId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

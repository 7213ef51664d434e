import { recordAudit } from '../audit/audit.repository.js';
import { AppError } from '../errors.js';
import { decryptSecret, encryptSecret } from '../secrets/secret-box.js';
import type { IdentityContext, RequestOrigin } from './identity.context.js';
import { sessionPolicy } from './identity.context.js';
import type { SessionStage } from './identity.table.js';
import { totpRequired, totpSecretContext } from './login.service.js';
import { checkPasswordPolicy, isPasswordReused } from './password-policy.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { surfaceOf } from './permissions.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';
import { passwordExpired, type ResolvedSession, startSession } from './session.service.js';
import { revokeSession, revokeUserSessions } from './sessions.repository.js';
import { generateTotpSecret, totpQrDataUrl, totpUri, verifyTotp } from './totp.js';
import {
  findUserById,
  recentPasswordHashes,
  recordLoginFailure,
  replaceRecoveryCodes,
  setPassword,
  setTotp,
  type UserRow,
} from './users.repository.js';

/** The last five passwords may not be used again. */
export const PASSWORD_HISTORY = 5;

function auditAs(ctx: IdentityContext, user: UserRow, origin: RequestOrigin) {
  return (
    action: string,
    details: Record<string, unknown> = {},
    outcome: 'success' | 'failure' = 'success',
  ) =>
    recordAudit(ctx.db, {
      action,
      actorKind: surfaceOf(user.role) === 'portal' ? 'portal_user' : 'user',
      actorUserId: user.id,
      actorRole: user.role,
      targetType: 'user',
      targetId: user.id,
      organisationId: user.organisation_id,
      ip: origin.ip,
      requestId: origin.requestId,
      outcome,
      details,
    });
}

async function currentUser(ctx: IdentityContext, session: ResolvedSession): Promise<UserRow> {
  const user = await findUserById(ctx.db, session.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in first', 401);
  return user;
}

export function stageFor(ctx: IdentityContext, user: UserRow): SessionStage {
  if (
    user.must_change_password ||
    passwordExpired(user.password_changed_at, ctx.config.auth.passwordMaxAgeDays)
  )
    return 'password_change';
  if (!user.totp_enabled_at && totpRequired(ctx, user)) return 'totp_enrol';
  return 'full';
}

/**
 * Ends the current session and starts a new one with a new id for the user's current stage
 * (a privilege change must never keep the old cookie value).
 */
async function rotate(
  ctx: IdentityContext,
  session: ResolvedSession,
  user: UserRow,
  origin: RequestOrigin,
): Promise<{ sessionId: string; expiresAt: Date; stage: SessionStage }> {
  const stage = stageFor(ctx, user);
  await revokeSession(ctx.db, session.idHash, 'rotated');
  const next = await startSession(
    ctx.db,
    { userId: user.id, surface: session.surface, stage, ip: origin.ip, userAgent: origin.userAgent },
    sessionPolicy(ctx.config),
  );
  return { sessionId: next.id, expiresAt: next.expiresAt, stage };
}

/** Rejects a password that breaks the policy, with every violation listed (codes and both languages). */
export async function assertAcceptablePassword(
  ctx: Pick<IdentityContext, 'db'>,
  user: Pick<UserRow, 'id' | 'username' | 'display_name'> | null,
  username: string,
  displayName: string,
  password: string,
): Promise<void> {
  const violations = checkPasswordPolicy(password, { username, displayName });
  if (violations.length > 0)
    throw new AppError('PASSWORD_POLICY', violations.map((v) => v.messageEn).join('; '), 422, { violations });
  if (
    user &&
    (await isPasswordReused(password, await recentPasswordHashes(ctx.db, user.id, PASSWORD_HISTORY)))
  )
    throw new AppError(
      'PASSWORD_REUSED',
      `The new password must differ from the last ${PASSWORD_HISTORY}`,
      422,
    );
}

export async function changePassword(
  ctx: IdentityContext,
  session: ResolvedSession,
  input: { currentPassword: string; newPassword: string },
  origin: RequestOrigin,
): Promise<{ sessionId: string; expiresAt: Date; stage: SessionStage }> {
  const user = await currentUser(ctx, session);
  const audit = auditAs(ctx, user, origin);
  if (!user.password_hash || !(await verifyPassword(user.password_hash, input.currentPassword))) {
    const { failures, lockedUntil } = await recordLoginFailure(
      ctx.db,
      user.id,
      ctx.config.auth.loginMaxFailures,
      ctx.config.auth.loginLockMinutes,
    );
    await audit(
      'auth.password_change',
      { reason: 'wrong_current_password', consecutiveFailures: failures },
      'failure',
    );
    if (lockedUntil) {
      await revokeUserSessions(ctx.db, user.id, 'locked');
      await audit('auth.lockout', { failures, lockedUntil: lockedUntil.toISOString() });
    }
    throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong', 401);
  }
  await assertAcceptablePassword(ctx, user, user.username, user.display_name, input.newPassword);
  await setPassword(ctx.db, user.id, await hashPassword(input.newPassword), false);
  const revoked = await revokeUserSessions(ctx.db, user.id, 'password_changed', session.idHash);
  await audit('auth.password_change', { otherSessionsRevoked: revoked });
  const updated = await currentUser(ctx, session);
  return rotate(ctx, session, updated, origin);
}

export async function enrolTotp(
  ctx: IdentityContext,
  session: ResolvedSession,
  origin: RequestOrigin,
): Promise<{ secret: string; otpauthUri: string; qrDataUrl: string }> {
  const user = await currentUser(ctx, session);
  if (user.totp_enabled_at)
    throw new AppError(
      'TOTP_ALREADY_ENABLED',
      'Two-factor sign-in is already set up; ask a security admin to reset it',
      409,
    );
  const secret = generateTotpSecret();
  await setTotp(ctx.db, user.id, {
    secret: encryptSecret(ctx.keyring, secret, totpSecretContext(user.id)),
    enabled: false,
    lastStep: null,
  });
  await auditAs(ctx, user, origin)('auth.2fa_enrol_started');
  const uri = totpUri({ secret, username: user.username });
  return { secret, otpauthUri: uri, qrDataUrl: await totpQrDataUrl(uri) };
}

export async function confirmTotp(
  ctx: IdentityContext,
  session: ResolvedSession,
  otp: string,
  origin: RequestOrigin,
): Promise<{ sessionId: string; expiresAt: Date; stage: SessionStage; recoveryCodes: string[] }> {
  const user = await currentUser(ctx, session);
  const audit = auditAs(ctx, user, origin);
  if (user.totp_enabled_at)
    throw new AppError('TOTP_ALREADY_ENABLED', 'Two-factor sign-in is already set up', 409);
  if (!user.totp_secret) throw new AppError('TOTP_NOT_ENROLLED', 'Start the enrolment first', 409);
  const secret = decryptSecret(ctx.keyring, user.totp_secret, totpSecretContext(user.id));
  const result = verifyTotp(secret, otp, null);
  if (!result.ok) {
    await audit('auth.2fa_enabled', { reason: 'wrong_code' }, 'failure');
    throw new AppError('INVALID_OTP', 'The one-time code is wrong', 401);
  }
  await setTotp(ctx.db, user.id, { secret: user.totp_secret, enabled: true, lastStep: result.step });
  const recoveryCodes = generateRecoveryCodes(10);
  await replaceRecoveryCodes(ctx.db, user.id, recoveryCodes.map(hashRecoveryCode));
  await audit('auth.2fa_enabled', { recoveryCodes: recoveryCodes.length });
  const updated = await currentUser(ctx, session);
  return { ...(await rotate(ctx, session, updated, origin)), recoveryCodes };
}

export async function logout(
  ctx: IdentityContext,
  session: ResolvedSession,
  origin: RequestOrigin,
): Promise<void> {
  await revokeSession(ctx.db, session.idHash, 'logout');
  const user = await currentUser(ctx, session);
  await auditAs(ctx, user, origin)('auth.logout');
}

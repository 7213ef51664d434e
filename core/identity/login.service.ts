import { recordAudit } from '../audit/audit.repository.js';
import { AppError } from '../errors.js';
import { decryptSecret } from '../secrets/secret-box.js';
import type { IdentityContext, RequestOrigin } from './identity.context.js';
import { sessionPolicy } from './identity.context.js';
import type { Role, SessionStage, Surface } from './identity.table.js';
import { dummyVerify, verifyPassword } from './passwords.js';
import { surfaceOf } from './permissions.js';
import { hashRecoveryCode } from './recovery-codes.js';
import { passwordExpired, startSession } from './session.service.js';
import { verifyTotp } from './totp.js';
import {
  advanceTotpStep,
  findUserByUsername,
  recordLoginFailure,
  recordLoginSuccess,
  type UserRow,
  useRecoveryCode,
} from './users.repository.js';

export interface LoginInput {
  surface: Surface;
  username: string;
  password: string;
  /** A 6-digit TOTP code, or a recovery code. */
  otp?: string | undefined;
}

export interface LoginResult {
  sessionId: string;
  expiresAt: Date;
  stage: SessionStage;
  user: { id: string; username: string; displayName: string; role: Role; organisationId: string | null };
}

export function totpRequired(ctx: IdentityContext, user: Pick<UserRow, 'role' | 'totp_enabled_at'>): boolean {
  return user.totp_enabled_at !== null || ctx.config.auth.totpRequiredRoles.includes(user.role);
}

export function totpSecretContext(userId: string): string {
  return `users.totp_secret:${userId}`;
}

function ipKey(ctx: IdentityContext, ip: string | null): string {
  return `${ctx.config.redis.prefix}:login-fail:ip:${ip ?? 'unknown'}`;
}

async function throttleByAddress(ctx: IdentityContext, origin: RequestOrigin): Promise<void> {
  const key = ipKey(ctx, origin.ip);
  const count = Number((await ctx.redis.get(key)) ?? 0);
  if (count >= ctx.config.auth.loginIpMaxFailures) {
    const ttl = await ctx.redis.pttl(key);
    throw new AppError('LOGIN_THROTTLED', 'Too many failed logins from this address', 429, {
      retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)),
    });
  }
}

async function countAddressFailure(ctx: IdentityContext, origin: RequestOrigin): Promise<void> {
  const key = ipKey(ctx, origin.ip);
  const n = await ctx.redis.incr(key);
  if (n === 1) await ctx.redis.pexpire(key, ctx.config.auth.loginLockMinutes * 60_000);
}

const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 'Wrong username or password', 401);

/**
 * Checks a user's second factor: a TOTP code (never the same time step twice) or an unused
 * recovery code (then spent). Returns how it was satisfied, or null.
 */
export async function checkSecondFactor(
  ctx: IdentityContext,
  user: UserRow,
  otp: string,
): Promise<'totp' | 'recovery_code' | null> {
  const code = otp.trim();
  if (/^\d{6}$/.test(code)) {
    if (!user.totp_secret) return null;
    const secret = decryptSecret(ctx.keyring, user.totp_secret, totpSecretContext(user.id));
    const lastStep = user.totp_last_step === null ? null : Number(user.totp_last_step);
    const result = verifyTotp(secret, code, lastStep);
    if (!result.ok) return null;
    return (await advanceTotpStep(ctx.db, user.id, result.step)) ? 'totp' : null;
  }
  return (await useRecoveryCode(ctx.db, user.id, hashRecoveryCode(code))) ? 'recovery_code' : null;
}

/**
 * Password (+ second factor) login for one surface. Unknown users, users of the other surface and
 * disabled users get the same answer as a wrong password, after the same argon2 work. Consecutive
 * failures lock the account; failures per address are limited too. Every outcome is audited.
 */
export async function login(
  ctx: IdentityContext,
  input: LoginInput,
  origin: RequestOrigin,
): Promise<LoginResult> {
  const { config, db } = ctx;
  const audit = (
    outcome: 'success' | 'failure' | 'denied',
    details: Record<string, unknown>,
    user?: UserRow,
    action = 'auth.login',
  ) =>
    recordAudit(db, {
      action,
      actorKind: user ? (surfaceOf(user.role) === 'portal' ? 'portal_user' : 'user') : 'anonymous',
      actorUserId: user?.id ?? null,
      actorRole: user?.role ?? null,
      targetType: 'user',
      targetId: user?.id ?? null,
      organisationId: user?.organisation_id ?? null,
      ip: origin.ip,
      requestId: origin.requestId,
      outcome,
      details: { surface: input.surface, username: input.username.slice(0, 64), ...details },
    });

  await throttleByAddress(ctx, origin);
  const found = await findUserByUsername(db, input.username);
  const user = found && surfaceOf(found.role) === input.surface ? found : null;

  if (!user) {
    await dummyVerify(input.password);
    await countAddressFailure(ctx, origin);
    await audit('failure', { reason: found ? 'wrong_surface' : 'unknown_user' });
    throw invalidCredentials();
  }
  if (user.locked_until && user.locked_until.getTime() > Date.now()) {
    await audit('denied', { reason: 'locked', lockedUntil: user.locked_until.toISOString() }, user);
    throw new AppError('ACCOUNT_LOCKED', 'The account is locked after repeated failed logins', 423, {
      unlockAt: user.locked_until.toISOString(),
    });
  }

  const fail = async (reason: string, code: AppError): Promise<never> => {
    await countAddressFailure(ctx, origin);
    const { failures, lockedUntil } = await recordLoginFailure(
      db,
      user.id,
      config.auth.loginMaxFailures,
      config.auth.loginLockMinutes,
    );
    await audit('failure', { reason, consecutiveFailures: failures }, user);
    if (lockedUntil && failures >= config.auth.loginMaxFailures) {
      await audit('success', { failures, lockedUntil: lockedUntil.toISOString() }, user, 'auth.lockout');
      throw new AppError('ACCOUNT_LOCKED', 'The account is locked after repeated failed logins', 423, {
        unlockAt: lockedUntil.toISOString(),
      });
    }
    throw code;
  };

  const passwordOk = user.password_hash ? await verifyPassword(user.password_hash, input.password) : false;
  if (!passwordOk || user.status !== 'active') {
    if (passwordOk) {
      await audit('failure', { reason: 'disabled' }, user);
      throw invalidCredentials();
    }
    return fail('wrong_password', invalidCredentials());
  }

  let stage: SessionStage = 'full';
  let secondFactor: string | null = null;
  if (user.totp_enabled_at) {
    if (!input.otp) {
      await audit('failure', { reason: 'otp_missing' }, user);
      throw new AppError('OTP_REQUIRED', 'Enter the code from your authenticator app', 401);
    }
    secondFactor = await checkSecondFactor(ctx, user, input.otp);
    if (!secondFactor)
      await fail('wrong_otp', new AppError('INVALID_OTP', 'The one-time code is wrong or already used', 401));
  } else if (totpRequired(ctx, user)) {
    stage = 'totp_enrol';
  }
  if (user.must_change_password || passwordExpired(user.password_changed_at, config.auth.passwordMaxAgeDays))
    stage = 'password_change';

  await recordLoginSuccess(db, user.id);
  const session = await startSession(
    db,
    { userId: user.id, surface: input.surface, stage, ip: origin.ip, userAgent: origin.userAgent },
    sessionPolicy(config),
  );
  await audit('success', { stage, secondFactor }, user);
  return {
    sessionId: session.id,
    expiresAt: session.expiresAt,
    stage,
    user: {
      id: user.id,
      username: user.username,
      displayName: user.display_name,
      role: user.role,
      organisationId: user.organisation_id,
    },
  };
}

import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import { AppError } from '../errors.js';
import { assertAcceptablePassword } from './account.service.js';
import type { IdentityContext, RequestOrigin } from './identity.context.js';
import type { BackendRole, Role } from './identity.table.js';
import { checkSecondFactor } from './login.service.js';
import { checkPasswordPolicy } from './password-policy.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { PORTAL_ROLES, surfaceOf } from './permissions.js';
import { revokeUserSessions } from './sessions.repository.js';
import {
  activeSuperadmin,
  findUserById,
  findUserByUsername,
  findUserForUpdate,
  insertUser,
  setPassword,
  setTotp,
  type UserRow,
} from './users.repository.js';

/** The signed-in user acting, and where from. */
export interface Actor {
  userId: string;
  role: Role;
  origin: RequestOrigin;
}

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  organisationId: string | null;
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  totpEnabled: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  passwordChangedAt: string | null;
  createdAt: string;
}

export function toUserView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    organisationId: u.organisation_id,
    status: u.status,
    mustChangePassword: u.must_change_password,
    totpEnabled: u.totp_enabled_at !== null,
    lockedUntil:
      u.locked_until && u.locked_until.getTime() > Date.now() ? u.locked_until.toISOString() : null,
    lastLoginAt: u.last_login_at?.toISOString() ?? null,
    passwordChangedAt: u.password_changed_at?.toISOString() ?? null,
    createdAt: u.created_at.toISOString(),
  };
}

function audit(
  ctx: IdentityContext,
  actor: Actor,
  action: string,
  target: UserRow,
  details: Record<string, unknown>,
  outcome: 'success' | 'failure' = 'success',
) {
  return recordAudit(ctx.db, {
    action,
    actorKind: 'user',
    actorUserId: actor.userId,
    actorRole: actor.role,
    targetType: 'user',
    targetId: target.id,
    organisationId: target.organisation_id,
    ip: actor.origin.ip,
    requestId: actor.origin.requestId,
    outcome,
    details,
  });
}

const SETS = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '!@#%^&*-_=+?'];

/** A random 16-character password that satisfies the policy; the user must replace it at first login. */
export function generateInitialPassword(username: string): string {
  for (;;) {
    const all = SETS.join('');
    const chars = SETS.map((s) => s[randomInt(s.length)] as string);
    while (chars.length < 16) chars.push(all[randomInt(all.length)] as string);
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
    }
    const pw = chars.join('');
    if (checkPasswordPolicy(pw, { username }).length === 0) return pw;
  }
}

async function targetUser(ctx: IdentityContext, id: string): Promise<UserRow> {
  const user = await findUserById(ctx.db, id);
  if (!user) throw new AppError('USER_NOT_FOUND', 'No such user', 404, { id });
  return user;
}

export async function listUsers(
  ctx: IdentityContext,
  q: { role?: Role | undefined; status?: 'active' | 'disabled' | undefined; search?: string | undefined },
): Promise<UserView[]> {
  let query = ctx.db.selectFrom('users').selectAll().orderBy('username');
  if (q.role) query = query.where('role', '=', q.role);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('username', 'ilike', like), eb('display_name', 'ilike', like)]));
  }
  return (await query.limit(1000).execute()).map(toUserView);
}

export async function getUser(ctx: IdentityContext, id: string): Promise<UserView> {
  return toUserView(await targetUser(ctx, id));
}

async function assertOrganisation(
  ctx: IdentityContext,
  role: Role,
  organisationId: string | null,
): Promise<void> {
  const portal = (PORTAL_ROLES as readonly string[]).includes(role);
  if (portal && !organisationId)
    throw new AppError('ORGANISATION_REQUIRED', 'Portal users belong to one organisation', 422);
  if (!portal && organisationId)
    throw new AppError(
      'ORGANISATION_NOT_ALLOWED',
      'Backend staff do not belong to a client organisation',
      422,
    );
  if (organisationId) {
    const org = await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', organisationId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (!org) throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 422, { organisationId });
  }
}

/**
 * Creates a user with a one-time initial password (returned once, never stored in clear) that must
 * be replaced at first login. The superadmin role is never created here: there is exactly one, and
 * it changes hands only by handover.
 */
export async function createUser(
  ctx: IdentityContext,
  actor: Actor,
  input: { username: string; displayName: string; role: Role; organisationId?: string | null | undefined },
): Promise<{ user: UserView; initialPassword: string }> {
  if (input.role === 'superadmin')
    throw new AppError('SUPERADMIN_EXISTS', 'There is exactly one superadmin; use the handover instead', 409);
  const organisationId = input.organisationId ?? null;
  await assertOrganisation(ctx, input.role, organisationId);
  if (await findUserByUsername(ctx.db, input.username))
    throw new AppError('USERNAME_TAKEN', 'That username is taken', 409, { username: input.username });
  const initialPassword = generateInitialPassword(input.username);
  const passwordHash = await hashPassword(initialPassword);
  const row = await ctx.db.transaction().execute((tx) =>
    insertUser(tx, {
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      organisationId,
      passwordHash,
      mustChangePassword: true,
    }),
  );
  await audit(ctx, actor, 'user.created', row, { username: row.username, role: row.role, organisationId });
  return { user: toUserView(row), initialPassword };
}

/** Creates the first superadmin (CLI bootstrap, demo start) with a password the operator chose. */
export async function createSuperadmin(
  ctx: Pick<IdentityContext, 'db'>,
  input: { username: string; displayName: string; password: string; mustChangePassword: boolean },
  origin: RequestOrigin,
): Promise<UserView> {
  if (await activeSuperadmin(ctx.db))
    throw new AppError('SUPERADMIN_EXISTS', 'A superadmin already exists; hand the role over instead', 409);
  if (await findUserByUsername(ctx.db, input.username))
    throw new AppError('USERNAME_TAKEN', 'That username is taken', 409, { username: input.username });
  await assertAcceptablePassword(ctx, null, input.username, input.displayName, input.password);
  const hash = await hashPassword(input.password);
  const row = await ctx.db.transaction().execute(async (tx) => {
    const created = await insertUser(tx, {
      username: input.username,
      displayName: input.displayName,
      role: 'superadmin',
      organisationId: null,
      passwordHash: hash,
      mustChangePassword: input.mustChangePassword,
    });
    await recordAudit(tx, {
      action: 'user.created',
      actorKind: 'system',
      targetType: 'user',
      targetId: created.id,
      ip: origin.ip,
      requestId: origin.requestId,
      details: { username: created.username, role: 'superadmin', bootstrap: true },
    });
    return created;
  });
  return toUserView(row);
}

export async function updateUser(
  ctx: IdentityContext,
  actor: Actor,
  id: string,
  patch: { displayName?: string | undefined; status?: 'active' | 'disabled' | undefined },
): Promise<UserView> {
  const user = await targetUser(ctx, id);
  if (patch.status === 'disabled' && user.role === 'superadmin')
    throw new AppError(
      'SUPERADMIN_REQUIRED',
      'The superadmin cannot be disabled; hand the role over first',
      409,
    );
  if (
    patch.status === 'active' &&
    user.status === 'disabled' &&
    user.role === 'superadmin' &&
    (await activeSuperadmin(ctx.db))
  )
    throw new AppError('SUPERADMIN_EXISTS', 'Another superadmin is active', 409);
  const row = await ctx.db
    .updateTable('users')
    .set({
      ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  let revoked = 0;
  if (patch.status === 'disabled' && user.status !== 'disabled')
    revoked = await revokeUserSessions(ctx.db, id, 'user_disabled');
  await audit(ctx, actor, 'user.updated', row, {
    changes: patch,
    before: { displayName: user.display_name, status: user.status },
    sessionsRevoked: revoked,
  });
  return toUserView(row);
}

/** A role change (a privilege change): ends every session of the user. */
export async function grantRole(
  ctx: IdentityContext,
  actor: Actor,
  id: string,
  role: Role,
  organisationId: string | null,
): Promise<UserView> {
  const user = await targetUser(ctx, id);
  if (user.role === 'superadmin' || role === 'superadmin')
    throw new AppError('SUPERADMIN_HANDOVER_ONLY', 'The superadmin role changes hands only by handover', 409);
  if (user.id === actor.userId) throw new AppError('SELF_GRANT', 'Nobody may change their own role', 403);
  if (surfaceOf(user.role) !== surfaceOf(role))
    throw new AppError(
      'SURFACE_CHANGE',
      'A backend user cannot become a portal user or the reverse; create a new user',
      422,
    );
  await assertOrganisation(ctx, role, organisationId);
  const row = await ctx.db
    .updateTable('users')
    .set({ role, organisation_id: organisationId, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const revoked = await revokeUserSessions(ctx.db, id, 'role_changed');
  await audit(ctx, actor, 'user.role_changed', row, {
    from: user.role,
    to: role,
    organisationId,
    sessionsRevoked: revoked,
  });
  return toUserView(row);
}

export async function unlockUser(ctx: IdentityContext, actor: Actor, id: string): Promise<UserView> {
  const user = await targetUser(ctx, id);
  const row = await ctx.db
    .updateTable('users')
    .set({ failed_login_count: 0, locked_until: null })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await audit(ctx, actor, 'user.unlocked', row, { wasLockedUntil: user.locked_until?.toISOString() ?? null });
  return toUserView(row);
}

export async function revokeSessions(
  ctx: IdentityContext,
  actor: Actor,
  id: string,
): Promise<{ revoked: number }> {
  const user = await targetUser(ctx, id);
  const revoked = await revokeUserSessions(ctx.db, id, 'revoked_by_admin');
  await audit(ctx, actor, 'user.sessions_revoked', user, { revoked });
  return { revoked };
}

/**
 * Hands the superadmin role to another active backend user. Needs the current holder's password and
 * one-time code; the holder takes `formerRole` (or is disabled). Both users' sessions end.
 */
export async function handoverSuperadmin(
  ctx: IdentityContext,
  actor: Actor,
  input: {
    toUserId: string;
    password: string;
    otp: string;
    formerRole: Exclude<BackendRole, 'superadmin'> | 'disabled';
  },
): Promise<{ superadmin: UserView; former: UserView }> {
  const holder = await targetUser(ctx, actor.userId);
  const fail = async (reason: string, err: AppError): Promise<never> => {
    await audit(
      ctx,
      actor,
      'user.superadmin_handover',
      holder,
      { reason, toUserId: input.toUserId },
      'failure',
    );
    throw err;
  };
  if (holder.role !== 'superadmin')
    return fail('not_holder', new AppError('FORBIDDEN', 'Only the superadmin can hand the role over', 403));
  if (!holder.password_hash || !(await verifyPassword(holder.password_hash, input.password)))
    return fail('wrong_password', new AppError('INVALID_CREDENTIALS', 'The password is wrong', 401));
  if (!(await checkSecondFactor(ctx, holder, input.otp)))
    return fail('wrong_otp', new AppError('INVALID_OTP', 'The one-time code is wrong or already used', 401));
  const target = await targetUser(ctx, input.toUserId);
  if (target.id === holder.id || target.status !== 'active' || surfaceOf(target.role) !== 'backend')
    return fail(
      'bad_target',
      new AppError('HANDOVER_TARGET_INVALID', 'Hand over to another active backend user', 422),
    );
  const [superadmin, former] = await ctx.db.transaction().execute(async (tx) => {
    await findUserForUpdate(tx, holder.id);
    const demoted = await tx
      .updateTable('users')
      .set(
        input.formerRole === 'disabled'
          ? { status: 'disabled', role: 'editor', updated_at: sql<Date>`now()` }
          : { role: input.formerRole, updated_at: sql<Date>`now()` },
      )
      .where('id', '=', holder.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const promoted = await tx
      .updateTable('users')
      .set({ role: 'superadmin', updated_at: sql<Date>`now()` })
      .where('id', '=', target.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await revokeUserSessions(tx, holder.id, 'superadmin_handover');
    await revokeUserSessions(tx, target.id, 'superadmin_handover');
    await recordAudit(tx, {
      action: 'user.superadmin_handover',
      actorKind: 'user',
      actorUserId: actor.userId,
      actorRole: actor.role,
      targetType: 'user',
      targetId: target.id,
      ip: actor.origin.ip,
      requestId: actor.origin.requestId,
      details: {
        from: holder.id,
        to: target.id,
        targetFormerRole: target.role,
        formerRole: input.formerRole,
      },
    });
    return [promoted, demoted] as const;
  });
  return { superadmin: toUserView(superadmin), former: toUserView(former) };
}

/** Resets a user's password to a new one-time password (superadmin); their sessions end. */
export async function resetPassword(
  ctx: IdentityContext,
  actor: Actor,
  id: string,
): Promise<{ initialPassword: string }> {
  const user = await targetUser(ctx, id);
  const initialPassword = generateInitialPassword(user.username);
  await setPassword(ctx.db, id, await hashPassword(initialPassword), true);
  const revoked = await revokeUserSessions(ctx.db, id, 'password_reset');
  await audit(ctx, actor, 'user.password_reset', user, { sessionsRevoked: revoked });
  return { initialPassword };
}

/**
 * Removes a user's two-factor enrolment and recovery codes (lost phone); the user enrols again at the
 * next sign-in, and every session of theirs ends. Nobody resets their own.
 */
export async function resetTwoFactor(ctx: IdentityContext, actor: Actor, id: string): Promise<UserView> {
  const user = await targetUser(ctx, id);
  if (user.id === actor.userId)
    throw new AppError('SELF_RESET', 'Another security admin must reset your two-factor sign-in', 403);
  const row = await ctx.db.transaction().execute(async (tx) => {
    await setTotp(tx, id, { secret: null, enabled: false, lastStep: null });
    await tx.deleteFrom('recovery_codes').where('user_id', '=', id).execute();
    await revokeUserSessions(tx, id, '2fa_reset');
    return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  });
  await audit(ctx, actor, 'user.2fa_reset', row, { hadTotp: user.totp_enabled_at !== null });
  return toUserView(row);
}

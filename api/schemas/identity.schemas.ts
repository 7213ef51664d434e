import { Type } from 'typebox';
import { BACKEND_ROLES, PORTAL_ROLES, ROLES } from '../../core/identity/permissions.js';

/** Request and response schemas shared by the identity routes. */

export const Username = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$',
  description: '2–64 characters: letters, digits, dot, underscore, hyphen; starts with a letter or digit',
});
/** Bounded before argon2 sees it (a multi-megabyte password would be a cheap denial of service). */
export const Password = Type.String({ minLength: 1, maxLength: 128 });
export const Otp = Type.String({
  pattern: '^(?:[0-9]{6}|[A-Za-z0-9 -]{8,24})$',
  description: 'A 6-digit code from the authenticator app, or one of the recovery codes',
});
export const Uuid = Type.String({ format: 'uuid' });
export const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)));
export const BackendRoleName = Type.Union(BACKEND_ROLES.map((r) => Type.Literal(r)));
export const PortalRoleName = Type.Union(PORTAL_ROLES.map((r) => Type.Literal(r)));
export const Stage = Type.Union([
  Type.Literal('full'),
  Type.Literal('password_change'),
  Type.Literal('totp_enrol'),
]);
export const DisplayName = Type.String({ minLength: 1, maxLength: 100 });
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const SessionUser = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleName,
  organisationId: Nullable(Type.String()),
});

export const SessionBody = Type.Object({
  user: SessionUser,
  stage: Stage,
  expiresAt: Type.String({ format: 'date-time' }),
  csrfToken: Type.String({
    description: 'Send it back in the X-CSRF-Token header of every POST/PUT/PATCH/DELETE',
  }),
  permissions: Type.Array(Type.String()),
});

export const UserBody = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleName,
  organisationId: Nullable(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  mustChangePassword: Type.Boolean(),
  totpEnabled: Type.Boolean(),
  lockedUntil: Nullable(Type.String()),
  lastLoginAt: Nullable(Type.String()),
  passwordChangedAt: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const OkBody = Type.Object({ ok: Type.Literal(true) });
export const IdParams = Type.Object({ id: Uuid });

export const errorRef = { $ref: 'ErrorResponse#' } as const;
/** The error statuses every authenticated route can answer with. */
export const authErrors = {
  400: errorRef,
  401: errorRef,
  403: errorRef,
  404: errorRef,
  409: errorRef,
  422: errorRef,
  423: errorRef,
  429: errorRef,
} as const;

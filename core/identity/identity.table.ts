import type { ColumnType, Generated } from 'kysely';

export type BackendRole = 'superadmin' | 'security_admin' | 'auditor' | 'editor' | 'planner';
export type PortalRole = 'client_approver' | 'client_viewer';
export type Role = BackendRole | PortalRole;

export interface OrganisationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  kind: ColumnType<'client' | 'operator', 'client' | 'operator' | undefined>;
  /** 三审三校: how many review steps content needs (1–3). */
  review_steps: Generated<number>;
  allow_self_approval: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  disabled_at: Date | null;
}

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  role: Role;
  organisation_id: string | null;
  password_hash: string | null;
  password_changed_at: Date | null;
  must_change_password: Generated<boolean>;
  status: ColumnType<'active' | 'disabled', 'active' | 'disabled' | undefined>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  /** bigint: pg returns it as a string. */
  totp_last_step: ColumnType<string | null, string | number | null, string | number | null>;
  failed_login_count: Generated<number>;
  locked_until: Date | null;
  last_login_at: Date | null;
}

export interface PasswordHistoryTable {
  id: ColumnType<string, never, never>;
  user_id: string;
  password_hash: string;
  created_at: Generated<Date>;
}

export interface RecoveryCodesTable {
  id: ColumnType<string, never, never>;
  user_id: string;
  code_hash: string;
  created_at: Generated<Date>;
  used_at: Date | null;
}

export type Surface = 'backend' | 'portal';
export type SessionStage = 'full' | 'password_change' | 'totp_enrol';

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  surface: Surface;
  stage: SessionStage;
  ip: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

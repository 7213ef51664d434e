import type { ColumnType, Generated } from 'kysely';

export type BackendRole = 'superadmin' | 'security_admin' | 'auditor' | 'editor' | 'planner';
export type PortalRole = 'client_approver' | 'client_viewer';
export type Role = BackendRole | PortalRole;

export interface OrganisationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  kind: ColumnType<'client' | 'operator', 'client' | 'operator' | undefined>;
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
}

import type { ColumnType, Generated } from 'kysely';

export const USER_ROLES = ['owner', 'admin', 'manager', 'employee', 'auditor'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UsersTable {
  id: Generated<string>;
  org_id: string;
  email: string;
  name: string;
  department_id: string | null;
  manager_id: string | null;
  role: Generated<UserRole>;
  password_hash: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface PartialDB {
  users: UsersTable;
}

import type { ApiKeyScope, UserRole } from '@toktra/db';

/**
 * What a caller may do. The dashboard reads these from `GET /v1/me` to hide what it may not do;
 * the API enforces the same list in `requireAuth`. Keep this module pure (no I/O).
 */
export const PERMISSIONS = [
  'dashboard:view',
  'usage:read',
  'users:read',
  'users:write',
  'departments:read',
  'departments:write',
  'devices:read',
  'devices:revoke',
  'enroll_tokens:create',
  'api_keys:manage',
  'settings:manage',
  'audit:read',
  'events:ingest',
  'portal:view',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** How far a principal's reads reach: the whole org, a department subtree, or only itself. */
export type Reach = 'org' | 'subtree' | 'self';

export interface Principal {
  orgId: string;
  kind: 'api_key' | 'user';
  /** Set for sessions; absent for API keys. */
  userId?: string;
  /** API keys act as `admin` within their scopes. */
  role: UserRole;
  /** API key scopes; for a session, the scopes its role implies. */
  scopes: ApiKeyScope[];
  keyId?: string;
  /** A manager's department and every department beneath it. */
  departmentIds?: string[];
}

const READ: Permission[] = ['dashboard:view', 'usage:read', 'users:read', 'departments:read', 'devices:read'];
const ALL: Permission[] = [...PERMISSIONS];

const BY_ROLE: Record<UserRole, Permission[]> = {
  owner: ALL,
  admin: ALL,
  manager: [...READ, 'portal:view'],
  auditor: [...READ, 'audit:read', 'portal:view'],
  // Employees read only their own usage (the API forces it) and devices (via /v1/me/devices).
  employee: ['portal:view', 'usage:read'],
};

const BY_SCOPE: Record<ApiKeyScope, Permission[]> = {
  read: [...READ, 'audit:read'],
  write: [...READ, 'users:write', 'departments:write', 'devices:revoke', 'enroll_tokens:create'],
  ingest: ['events:ingest'],
  admin: ALL.filter((p) => p !== 'portal:view'),
};

export function scopesForRole(role: UserRole): ApiKeyScope[] {
  if (role === 'owner' || role === 'admin') return ['read', 'write', 'admin'];
  return ['read'];
}

/** Every permission a principal holds, in a stable order (what `/v1/me` returns). */
export function permissionsOf(principal: Principal): Permission[] {
  const granted = new Set<Permission>(
    principal.kind === 'api_key' ? principal.scopes.flatMap((s) => BY_SCOPE[s]) : BY_ROLE[principal.role],
  );
  return PERMISSIONS.filter((p) => granted.has(p));
}

export function reachOf(principal: Principal): Reach {
  if (principal.kind === 'api_key') return 'org';
  if (principal.role === 'employee') return 'self';
  if (principal.role === 'manager') return 'subtree';
  return 'org';
}

/** A thing an action touches, when it belongs to someone or somewhere. */
export interface Resource {
  userId?: string | null;
  departmentId?: string | null;
}

/**
 * The policy: does `principal` hold `action`, and does `resource` (if given) lie within its reach?
 * Employees reach only themselves; managers their department subtree (and themselves).
 */
export function can(principal: Principal, action: Permission, resource?: Resource): boolean {
  if (!permissionsOf(principal).includes(action)) return false;
  if (!resource) return true;
  switch (reachOf(principal)) {
    case 'org':
      return true;
    case 'self':
      return !!resource.userId && resource.userId === principal.userId;
    case 'subtree':
      if (resource.userId && resource.userId === principal.userId) return true;
      return !!resource.departmentId && (principal.departmentIds ?? []).includes(resource.departmentId);
  }
}

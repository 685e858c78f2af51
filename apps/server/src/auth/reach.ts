import type { Database } from '@toktra/db';
import type { Actor } from '../audit/service.js';
import { type Principal, reachOf } from './permissions.js';
import type { Scope } from './scope.js';

/**
 * The users whose things (devices, usage) a principal may see, or null for "the whole org".
 * Managers: everyone in their department subtree plus themselves; employees: themselves.
 */
export async function usersWithinReach(db: Database, principal: Principal): Promise<Set<string> | null> {
  const reach = reachOf(principal);
  if (reach === 'org') return null;
  const self = principal.userId ? [principal.userId] : [];
  const subtree = principal.departmentIds ?? [];
  if (reach === 'self' || subtree.length === 0) return new Set(self);
  const rows = await db.withTenant(principal.orgId, ({ db: trx }) =>
    trx
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', principal.orgId)
      .where('department_id', 'in', subtree)
      .execute(),
  );
  return new Set([...self, ...rows.map((r) => r.id)]);
}

/** The users within a scope's reach, or null for "the whole org". */
export async function userIdsInScope(db: Database, scope: Scope): Promise<Set<string> | null> {
  if (scope.reach === 'org') return null;
  if (scope.reach === 'self' || scope.departmentIds.length === 0) return new Set([scope.userId]);
  const rows = await db.withTenant(scope.orgId, ({ db: trx }) =>
    trx
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', scope.orgId)
      .where('department_id', 'in', scope.departmentIds)
      .execute(),
  );
  return new Set([scope.userId, ...rows.map((r) => r.id)]);
}

/** Keeps the items owned by someone within the principal's reach (all of them for org-wide callers). */
export async function filterToReach<T extends { owner_user_id: string | null }>(
  db: Database,
  principal: Principal,
  items: T[],
): Promise<T[]> {
  const users = await usersWithinReach(db, principal);
  return users ? items.filter((item) => item.owner_user_id !== null && users.has(item.owner_user_id)) : items;
}

/** The audit actor for a principal. */
export function actorOf(principal: Principal): Actor {
  return principal.kind === 'user'
    ? { type: 'user', id: principal.userId ?? null }
    : { type: 'api_key', id: principal.keyId ?? null };
}

import type { Database } from '@toktra/db';
import type { Scope } from './scope.js';

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

/** Keeps the items owned by someone within the scope's reach (all of them for org-wide callers). */
export async function filterToReach<T extends { owner_user_id: string | null }>(
  db: Database,
  scope: Scope,
  items: T[],
): Promise<T[]> {
  const users = await userIdsInScope(db, scope);
  return users ? items.filter((item) => item.owner_user_id !== null && users.has(item.owner_user_id)) : items;
}

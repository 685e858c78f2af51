import { AppError } from '@toktra/core';
import type { Database } from '@toktra/db';
import { type Permission, type Principal, permissionsOf, type Reach, reachOf } from './permissions.js';

export interface Me {
  user: {
    id: string;
    email: string;
    name: string;
    role: string;
    department_id: string | null;
    department_name: string | null;
  } | null;
  org: { id: string; name: string; time_zone: string };
  principal: { kind: Principal['kind']; role: string; reach: Reach; department_ids: string[] | null };
  permissions: Permission[];
}

/** Who the caller is and what they may do (the dashboard hides everything else). */
export async function describePrincipal(db: Database, principal: Principal): Promise<Me> {
  const { orgId } = principal;
  return db.withTenant(orgId, async ({ db: trx }) => {
    const org = await trx
      .selectFrom('orgs')
      .select(['id', 'name', 'time_zone'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    if (!org) throw new AppError('not_found', 'organization not found');
    const user = principal.userId
      ? await trx
          .selectFrom('users')
          .leftJoin('departments', (join) =>
            join
              .onRef('departments.id', '=', 'users.department_id')
              .onRef('departments.org_id', '=', 'users.org_id'),
          )
          .select([
            'users.id',
            'users.email',
            'users.name',
            'users.role',
            'users.department_id',
            'departments.name as department_name',
          ])
          .where('users.org_id', '=', orgId)
          .where('users.id', '=', principal.userId)
          .executeTakeFirst()
      : undefined;
    return {
      user: user ?? null,
      org,
      principal: {
        kind: principal.kind,
        role: principal.role,
        reach: reachOf(principal),
        department_ids: principal.departmentIds ?? null,
      },
      permissions: permissionsOf(principal),
    };
  });
}

export interface MyDevice {
  id: string;
  hostname: string;
  os: string | null;
  agent_version: string | null;
  status: string;
  last_seen_at: string | null;
  privacy_state: string | null;
}

/** The caller's own devices (the employee portal). */
export async function listOwnDevices(db: Database, orgId: string, userId: string): Promise<MyDevice[]> {
  const rows = await db.withTenant(orgId, ({ db: trx }) =>
    trx
      .selectFrom('devices')
      .select(['id', 'hostname', 'os', 'agent_version', 'status', 'last_seen_at', 'privacy_state'])
      .where('org_id', '=', orgId)
      .where('owner_user_id', '=', userId)
      .orderBy('hostname')
      .execute(),
  );
  return rows.map((r) => ({ ...r, last_seen_at: r.last_seen_at?.toISOString() ?? null }));
}

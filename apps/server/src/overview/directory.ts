import type { Database } from '@toktra/db';
import type { Principal } from '../auth/permissions.js';
import { reachOf } from '../auth/permissions.js';

/** Models seen per org, for the model filter: a distinct scan of 90 days, so cached briefly. */
const modelCache = new Map<string, { at: number; models: string[] }>();
const MODEL_CACHE_MS = 60_000;

export interface Directory {
  users: Array<{ id: string; name: string; email: string; department_id: string | null }>;
  departments: Array<{ id: string; name: string; parent_id: string | null }>;
  models: string[];
}

/**
 * Names behind ids and the options of the dashboard's filters, in one call: people and
 * departments within the principal's reach, and the models seen in the last 90 days.
 */
export async function getDirectory(db: Database, principal: Principal): Promise<Directory> {
  const { orgId } = principal;
  const reach = reachOf(principal);
  const subtree = principal.departmentIds ?? [];
  return db.withTenant(orgId, async ({ db: trx }) => {
    let users = trx
      .selectFrom('users')
      .select(['id', 'name', 'email', 'department_id'])
      .where('org_id', '=', orgId)
      .orderBy('name');
    let departments = trx
      .selectFrom('departments')
      .select(['id', 'name', 'parent_id'])
      .where('org_id', '=', orgId)
      .orderBy('name');
    if (reach === 'self') {
      users = users.where('id', '=', principal.userId ?? orgId);
      departments = departments.where('id', '=', orgId); // none
    } else if (reach === 'subtree') {
      const ids = subtree.length ? subtree : [orgId];
      users = users.where((eb) =>
        eb.or([eb('department_id', 'in', ids), eb('id', '=', principal.userId ?? orgId)]),
      );
      departments = departments.where('id', 'in', ids);
    }
    const cached = modelCache.get(orgId);
    const since = new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);
    const [userRows, departmentRows, models] = await Promise.all([
      users.execute(),
      departments.execute(),
      cached && Date.now() - cached.at < MODEL_CACHE_MS
        ? cached.models
        : trx
            .selectFrom('usage_daily_org')
            .select('model')
            .distinct()
            .where('org_id', '=', orgId)
            .where('bucket', '>=', since)
            .where('model', 'is not', null)
            .orderBy('model')
            .execute()
            .then((rows) => {
              const list = rows.flatMap((r) => (r.model ? [r.model] : []));
              modelCache.set(orgId, { at: Date.now(), models: list });
              return list;
            }),
    ]);
    return {
      users: userRows,
      departments: departmentRows,
      models,
    };
  });
}

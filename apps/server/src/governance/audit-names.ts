import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import type { AuditEntryView } from './audit-query.js';

export interface NamedAuditEntry extends AuditEntryView {
  /** Who acted, as people know them (a user's name or email, an API key's name); null when unknown or erased. */
  actor_name: string | null;
  /** What it concerned, by name (a department, budget, policy, user …); null when unknown or deleted. */
  target_name: string | null;
}

type Lookup = (tx: Tx, orgId: string, ids: string[]) => Promise<Array<{ id: string; name: string }>>;

const usersByName: Lookup = (tx, orgId, ids) =>
  tx.db
    .selectFrom('users')
    .select(['id', sql<string>`coalesce(nullif(name, ''), email)`.as('name')])
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();

/** Readable names per target type; types not listed keep only their id. */
const LOOKUPS: Record<string, Lookup> = {
  user: usersByName,
  department: (tx, orgId, ids) =>
    tx.db
      .selectFrom('departments')
      .select(['id', 'name'])
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .execute(),
  api_key: (tx, orgId, ids) =>
    tx.db
      .selectFrom('api_keys')
      .select(['id', 'name'])
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .execute(),
  budget: (tx, orgId, ids) =>
    tx.db
      .selectFrom('budgets as b')
      .leftJoin('departments as d', (j) => j.onRef('d.id', '=', 'b.department_id').on('d.org_id', '=', orgId))
      .select([
        'b.id',
        sql<string>`case when b.department_id is null then 'Organisation budget' else 'Budget ''' || coalesce(d.name, '?') || '''' end`.as(
          'name',
        ),
      ])
      .where('b.org_id', '=', orgId)
      .where('b.id', 'in', ids)
      .execute(),
  policy: (tx, orgId, ids) =>
    tx.db
      .selectFrom('policies as p')
      .innerJoin('policy_versions as v', (j) =>
        j.onRef('v.policy_id', '=', 'p.id').onRef('v.version', '=', 'p.current_version'),
      )
      .select(['p.id', 'v.name'])
      .where('p.org_id', '=', orgId)
      .where('p.id', 'in', ids)
      .execute(),
  webhook_endpoint: (tx, orgId, ids) =>
    tx.db
      .selectFrom('webhook_endpoints')
      .select(['id', sql<string>`coalesce(nullif(description, ''), url)`.as('name')])
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .execute(),
  incident: (tx, orgId, ids) =>
    tx.db
      .selectFrom('incidents')
      .select(['id', 'title as name'])
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .execute(),
  provider_connection: (tx, orgId, ids) =>
    tx.db
      .selectFrom('provider_connections')
      .select(['id', 'name'])
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .execute(),
  device: (tx, orgId, ids) =>
    tx.db
      .selectFrom('devices')
      .select(['id', 'hostname as name'])
      .where('org_id', '=', orgId)
      .where('id', 'in', ids)
      .execute(),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Adds readable actor and target names to a page of audit entries (one query per kind present),
 * so the trail reads "Ada Admin updated Budget 'Backend'" rather than "user:373cea69". Names are
 * today's: the chain itself keeps the ids it hashed.
 */
export async function nameAuditEntries(
  tx: Tx,
  orgId: string,
  entries: readonly AuditEntryView[],
): Promise<NamedAuditEntry[]> {
  const wanted = new Map<string, Set<string>>();
  const want = (type: string | null, id: string | null) => {
    if (!type || !id || !UUID.test(id) || !LOOKUPS[type]) return;
    const set = wanted.get(type) ?? new Set<string>();
    set.add(id);
    wanted.set(type, set);
  };
  for (const e of entries) {
    want(e.actor_type, e.actor_id);
    want(e.target_type, e.target_id);
  }
  const names = new Map<string, string>();
  for (const [type, ids] of wanted) {
    const lookup = LOOKUPS[type] as Lookup;
    for (const row of await lookup(tx, orgId, [...ids])) names.set(`${type}:${row.id}`, row.name);
  }
  const nameOf = (type: string | null, id: string | null) =>
    type && id ? (names.get(`${type}:${id}`) ?? null) : null;
  return entries.map((e) => ({
    ...e,
    actor_name: nameOf(e.actor_type, e.actor_id),
    target_name: nameOf(e.target_type, e.target_id),
  }));
}

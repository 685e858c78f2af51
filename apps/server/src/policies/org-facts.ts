import type { Tx } from '@toktra/db';

export interface PolicyOrgFacts {
  timeZone: string;
  parents: Map<string, string | null>;
}

/** The org's time zone and department tree (child → parent), for subjects and subtree conditions. */
export async function loadPolicyOrgFacts(tx: Tx, orgId: string): Promise<PolicyOrgFacts> {
  const org = await tx.db
    .selectFrom('orgs')
    .select('time_zone')
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  const departments = await tx.db
    .selectFrom('departments')
    .select(['id', 'parent_id'])
    .where('org_id', '=', orgId)
    .execute();
  return { timeZone: org.time_zone, parents: new Map(departments.map((d) => [d.id, d.parent_id])) };
}

import type { Tx } from '@toktra/db';
import type { Candidate } from './usage-stream.js';

export interface FiredByEntry {
  id: string;
  name: string;
  firings: number;
}

/** Firings per department and per user (a firing without one counts for neither), most first. */
export interface FiredBy {
  departments: FiredByEntry[];
  users: FiredByEntry[];
}

function tally(ids: Array<string | undefined>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Who the firings of a policy test concern, with readable names (an erased user keeps its id). */
export async function countFiredBy(tx: Tx, orgId: string, fired: readonly Candidate[]): Promise<FiredBy> {
  const departments = tally(fired.map((c) => c.subject.department_id));
  const users = tally(fired.map((c) => c.subject.user_id));
  const names = async (table: 'departments' | 'users', ids: string[]) =>
    ids.length === 0
      ? new Map<string, string>()
      : new Map(
          (
            await tx.db
              .selectFrom(table)
              .select(['id', 'name'])
              .where('org_id', '=', orgId)
              .where('id', 'in', ids)
              .execute()
          ).map((r) => [r.id, r.name]),
        );
  const listOf = async (table: 'departments' | 'users', counts: Map<string, number>) => {
    const named = await names(table, [...counts.keys()]);
    return [...counts]
      .map(([id, firings]) => ({ id, name: named.get(id) ?? id, firings }))
      .sort((a, b) => b.firings - a.firings || a.name.localeCompare(b.name));
  };
  return { departments: await listOf('departments', departments), users: await listOf('users', users) };
}

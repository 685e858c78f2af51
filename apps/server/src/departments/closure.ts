import type { Tx } from '@toktra/db';
import { sql } from 'kysely';

/**
 * Every department's subtree (itself and all descendants) in one recursive query: the ancestor →
 * descendant closure of the org's tree, for views that roll figures up to every node at once
 * (one query instead of one subtree query per department).
 */
export async function loadDepartmentClosure(tx: Tx, orgId: string): Promise<Map<string, Set<string>>> {
  const result = await sql<{ ancestor: string; descendant: string }>`
    WITH RECURSIVE closure (ancestor, descendant) AS (
      SELECT id, id FROM departments WHERE org_id = ${orgId}
      UNION
      SELECT c.ancestor, d.id FROM closure c JOIN departments d ON d.parent_id = c.descendant
      WHERE d.org_id = ${orgId}
    )
    SELECT ancestor::text AS ancestor, descendant::text AS descendant FROM closure`.execute(tx.db);
  const subtrees = new Map<string, Set<string>>();
  for (const { ancestor, descendant } of result.rows) {
    let set = subtrees.get(ancestor);
    if (!set) {
      set = new Set();
      subtrees.set(ancestor, set);
    }
    set.add(descendant);
  }
  return subtrees;
}

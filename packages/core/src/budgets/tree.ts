/**
 * Department trees: each node knows its parent; usage recorded on a node counts for it and every
 * ancestor. The functions tolerate a corrupt (cyclic) map rather than looping forever.
 */
export type ParentMap = ReadonlyMap<string, string | null>;

/** `id` followed by its ancestors up to the root. Stops at a repeated node (a cycle). */
export function ancestorChain(id: string, parentOf: ParentMap): string[] {
  const chain: string[] = [];
  const seen = new Set<string>();
  let current: string | null | undefined = id;
  while (current && !seen.has(current)) {
    chain.push(current);
    seen.add(current);
    current = parentOf.get(current);
  }
  return chain;
}

/** Would making `newParent` the parent of `id` create a cycle (`newParent` is `id` or below it)? */
export function wouldCreateCycle(id: string, newParent: string | null, parentOf: ParentMap): boolean {
  if (newParent === null) return false;
  return ancestorChain(newParent, parentOf).includes(id);
}

/**
 * Totals per node including every descendant: each node's own amount is added to itself and
 * each of its ancestors. Amounts on ids missing from the tree are ignored.
 */
export function rollUp(parentOf: ParentMap, own: ReadonlyMap<string, number>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const id of parentOf.keys()) totals.set(id, 0);
  for (const [id, amount] of own) {
    if (!parentOf.has(id)) continue;
    for (const node of ancestorChain(id, parentOf)) totals.set(node, (totals.get(node) ?? 0) + amount);
  }
  return totals;
}

/** Children per node (roots under the key `null`), in insertion order. */
export function childrenOf(parentOf: ParentMap): Map<string | null, string[]> {
  const children = new Map<string | null, string[]>();
  for (const [id, parent] of parentOf) {
    const key = parent && parentOf.has(parent) ? parent : null;
    const list = children.get(key);
    if (list) list.push(id);
    else children.set(key, [id]);
  }
  return children;
}

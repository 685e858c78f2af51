import type { Tx } from '@toktra/db';
import { costOf, createPriceLookup, type PriceLookup } from '../budgets/default-prices.js';
import type { UsageGroup } from './query.js';

/** The org's price lookup (its overrides over the built-in list), read in the caller's transaction. */
export async function loadPriceLookup(tx: Tx, orgId: string): Promise<PriceLookup> {
  const overrides = await tx.db
    .selectFrom('model_prices')
    .select(['provider', 'model', 'input_per_mtok', 'output_per_mtok'])
    .where('org_id', '=', orgId)
    .execute();
  return createPriceLookup(overrides);
}

/** One group's estimated tokens of one provider and model. */
export interface CostRow {
  k: string | null;
  provider: string;
  model: string | null;
  input: number | string;
  output: number | string;
}

/** The column of a usage row that holds its group key. */
export const GROUP_KEY: Record<UsageGroup, string> = {
  day: 'date',
  user: 'user_id',
  department: 'department_id',
  provider: 'provider',
  model: 'model',
};

/**
 * Costs per group: every (provider, model) priced on its own, so a group of gpt-4o-mini calls
 * costs gpt-4o-mini's price, not the provider's fallback.
 */
export function summariseCost(
  rows: readonly CostRow[],
  groupBy: UsageGroup | null,
  price: PriceLookup,
): { total: number; of: (row: Record<string, unknown>) => number } {
  const byKey = new Map<string | null, number>();
  let total = 0;
  for (const r of rows) {
    const cost = costOf(price(r.provider, r.model), Number(r.input), Number(r.output));
    total += cost;
    byKey.set(r.k, (byKey.get(r.k) ?? 0) + cost);
  }
  return {
    total,
    of: (row) => (groupBy ? (byKey.get((row[GROUP_KEY[groupBy]] as string | null) ?? null) ?? 0) : total),
  };
}

/** Costs are shown to the cent but summed further by clients: keep micro-units. */
export function roundCost(cost: number): number {
  return Math.round(cost * 1_000_000) / 1_000_000;
}

import {
  type PeriodBounds,
  type ReconciledDay,
  type ScopedUsage,
  type Spend,
  spendWithReconciled,
} from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { costOf, type PriceLookup } from './default-prices.js';

/**
 * What each department spent in a period, read from the daily rollups (whose buckets are local
 * days in the org's zone, so a calendar month is exactly its days) with reconciled provider-days
 * substituted for estimates. Key null = usage attributed to no department (it counts for the org).
 */
export async function loadPeriodSpend(
  tx: Tx,
  orgId: string,
  timeZone: string,
  bounds: PeriodBounds,
  priceOf: PriceLookup,
): Promise<Map<string | null, Spend>> {
  const rows = await tx.db
    .selectFrom('usage_daily')
    .select((eb) => [
      'department_id',
      'provider',
      'model',
      sql<string>`bucket::text`.as('day'),
      eb.fn.sum<number>('est_input_tokens').as('input'),
      eb.fn.sum<number>('est_output_tokens').as('output'),
    ])
    .where('org_id', '=', orgId)
    .where('bucket', '>=', bounds.firstDay)
    .where('bucket', '<=', bounds.lastDay)
    .groupBy(['department_id', 'provider', 'model', 'bucket'])
    .execute();
  const estimates: ScopedUsage[] = rows.map((r) => {
    const input = Number(r.input);
    const output = Number(r.output);
    return {
      departmentId: r.department_id,
      provider: r.provider,
      day: r.day,
      inputTokens: input,
      outputTokens: output,
      cost: costOf(priceOf(r.provider, r.model), input, output),
    };
  });
  const reconciled = await loadReconciledDays(tx, orgId, timeZone, bounds, priceOf);
  return spendWithReconciled(estimates, reconciled);
}

/**
 * Provider-reported usage per provider and local day, when the reconciliation feature's table
 * exists (it lands separately; until then budgets run on estimates alone).
 */
async function loadReconciledDays(
  tx: Tx,
  orgId: string,
  timeZone: string,
  bounds: PeriodBounds,
  priceOf: PriceLookup,
): Promise<ReconciledDay[]> {
  const present = await sql<{ t: string | null }>`SELECT to_regclass('reconciled_usage')::text AS t`.execute(
    tx.db,
  );
  if (!present.rows[0]?.t) return [];
  const result = await sql<{
    provider: string;
    model: string | null;
    day: string;
    input: number;
    output: number;
  }>`
    SELECT provider, model, (bucket_start AT TIME ZONE ${timeZone})::date::text AS day,
           sum(input_tokens) AS input, sum(output_tokens) AS output
    FROM reconciled_usage
    WHERE org_id = ${orgId} AND bucket_start >= ${bounds.start} AND bucket_start < ${bounds.end}
    GROUP BY provider, model, day`.execute(tx.db);
  return result.rows.map((r) => {
    const input = Number(r.input);
    const output = Number(r.output);
    return {
      provider: r.provider,
      day: r.day,
      inputTokens: input,
      outputTokens: output,
      cost: costOf(priceOf(r.provider, r.model), input, output),
    };
  });
}

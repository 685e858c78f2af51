import {
  ancestorChain,
  type ParentMap,
  periodBounds,
  rolloverAmount,
  type Spend,
  shiftPeriodKey,
} from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import type { PriceLookup } from './default-prices.js';
import { loadPeriodSpend } from './period-spend.js';
import { type BudgetRow, budgetLimit, budgetUnit } from './service.js';

export interface PeriodRow {
  limit_amount: number;
  rollover_in: number;
  thresholds_fired: number[];
}

export interface OrgFactsForPeriods {
  timeZone: string;
  parentOf: ParentMap;
  priceOf: PriceLookup;
}

/** A scope's spend in the budget's unit: a department with every descendant, or the whole org. */
export function scopeSpend(
  spend: ReadonlyMap<string | null, Spend>,
  parentOf: ParentMap,
  budget: BudgetRow,
): number {
  const unit = budgetUnit(budget);
  let total = 0;
  for (const [dept, s] of spend) {
    const inScope =
      budget.department_id === null ||
      (dept !== null && ancestorChain(dept, parentOf).includes(budget.department_id));
    if (inScope) total += unit === 'tokens' ? s.tokens : s.cost;
  }
  return total;
}

async function readPeriod(
  tx: Tx,
  orgId: string,
  budgetId: string,
  period: string,
): Promise<PeriodRow | undefined> {
  return tx.db
    .selectFrom('budget_periods')
    .select(['limit_amount', 'rollover_in', 'thresholds_fired'])
    .where('org_id', '=', orgId)
    .where('budget_id', '=', budgetId)
    .where('period', '=', period)
    .executeTakeFirst();
}

/**
 * Closes `fromPeriod` of a budget: snapshots its spend and records the rollover into the next
 * period (`min(unused, cap% × limit)`, 0 without a cap). Idempotent: a second call returns the
 * recorded amount. Returns null when the budget had no row for that period.
 */
export async function closePeriod(
  tx: Tx,
  orgId: string,
  budget: BudgetRow,
  fromPeriod: string,
  facts: OrgFactsForPeriods,
): Promise<number | null> {
  const done = await tx.db
    .selectFrom('budget_rollovers')
    .select('amount')
    .where('org_id', '=', orgId)
    .where('budget_id', '=', budget.id)
    .where('from_period', '=', fromPeriod)
    .executeTakeFirst();
  if (done) return done.amount;
  const row = await readPeriod(tx, orgId, budget.id, fromPeriod);
  if (!row) return null;
  const spend = await loadPeriodSpend(
    tx,
    orgId,
    facts.timeZone,
    periodBounds(fromPeriod, facts.timeZone),
    facts.priceOf,
  );
  const spent = scopeSpend(spend, facts.parentOf, budget);
  const capPct = budget.rollover_cap_pct ?? 0;
  const amount = rolloverAmount({ limit: row.limit_amount, rolloverIn: row.rollover_in, spent, capPct });
  const unused = Math.max(0, row.limit_amount + row.rollover_in - spent);
  await tx.db
    .insertInto('budget_rollovers')
    .values({
      org_id: orgId,
      budget_id: budget.id,
      from_period: fromPeriod,
      to_period: shiftPeriodKey(fromPeriod, 1),
      limit_amount: row.limit_amount,
      rollover_in: row.rollover_in,
      spent,
      unused,
      cap_pct: capPct,
      amount,
    })
    .onConflict((oc) => oc.columns(['org_id', 'budget_id', 'from_period']).doNothing())
    .execute();
  await tx.db
    .updateTable('budget_periods')
    .set({ spent, closed_at: new Date() })
    .where('org_id', '=', orgId)
    .where('budget_id', '=', budget.id)
    .where('period', '=', fromPeriod)
    .execute();
  return amount;
}

/**
 * The budget's row for `period`, created on first need: the base limit as of now, plus what
 * rolled over from the previous period (closing it first when the rollover job has not yet).
 */
export async function ensurePeriod(
  tx: Tx,
  orgId: string,
  budget: BudgetRow,
  period: string,
  facts: OrgFactsForPeriods,
): Promise<PeriodRow> {
  const existing = await readPeriod(tx, orgId, budget.id, period);
  if (existing) return existing;
  const rolloverIn = (await closePeriod(tx, orgId, budget, shiftPeriodKey(period, -1), facts)) ?? 0;
  await tx.db
    .insertInto('budget_periods')
    .values({
      org_id: orgId,
      budget_id: budget.id,
      period,
      limit_amount: budgetLimit(budget),
      rollover_in: rolloverIn,
      spent: null,
      closed_at: null,
    })
    .onConflict((oc) => oc.columns(['org_id', 'budget_id', 'period']).doNothing())
    .execute();
  return (await readPeriod(tx, orgId, budget.id, period)) as PeriodRow;
}

/**
 * Records thresholds as fired for a budget and period; returns those this call recorded (a
 * concurrent caller that recorded one first keeps it), so each fires exactly once.
 */
export async function markThresholdsFired(
  tx: Tx,
  orgId: string,
  budgetId: string,
  period: string,
  thresholds: readonly number[],
): Promise<number[]> {
  const recorded: number[] = [];
  for (const t of thresholds) {
    const one = JSON.stringify([t]);
    const result = await sql<{ ok: number }>`
      UPDATE budget_periods SET thresholds_fired = thresholds_fired || ${one}::jsonb
      WHERE org_id = ${orgId} AND budget_id = ${budgetId} AND period = ${period}
        AND NOT (thresholds_fired @> ${one}::jsonb)
      RETURNING 1 AS ok`.execute(tx.db);
    if (result.rows.length > 0) recorded.push(t);
  }
  return recorded;
}

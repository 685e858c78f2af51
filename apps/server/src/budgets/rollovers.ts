import { AppError } from '@toktra/core';
import type { AppContext } from '../context.js';

export interface RolloverView {
  from_period: string;
  to_period: string;
  limit_amount: number;
  rollover_in: number;
  spent: number;
  unused: number;
  cap_pct: number;
  amount: number;
  created_at: Date;
}

/** A budget's rollover history, newest first (404 for a budget of another org). */
export async function listRollovers(
  ctx: AppContext,
  orgId: string,
  budgetId: string,
): Promise<RolloverView[]> {
  return ctx.db.withTenant(orgId, async ({ db }) => {
    const budget = await db
      .selectFrom('budgets')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', budgetId)
      .executeTakeFirst();
    if (!budget) throw new AppError('not_found', `budget ${budgetId} not found`);
    return db
      .selectFrom('budget_rollovers')
      .select([
        'from_period',
        'to_period',
        'limit_amount',
        'rollover_in',
        'spent',
        'unused',
        'cap_pct',
        'amount',
        'created_at',
      ])
      .where('org_id', '=', orgId)
      .where('budget_id', '=', budgetId)
      .orderBy('from_period', 'desc')
      .execute();
  });
}

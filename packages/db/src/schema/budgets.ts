import type { ColumnType, Generated } from 'kysely';

export type BudgetCap = 'soft' | 'hard';

/** A department's budget, or the org's when `department_id` is null. */
export interface BudgetsTable {
  id: Generated<string>;
  org_id: string;
  department_id: string | null;
  limit_tokens: number | null;
  /** Money budgets, in the org's currency (costs come from the price table). */
  limit_cost: number | null;
  cap: BudgetCap;
  /** Alert percentages, e.g. [80, 95]. */
  thresholds: ColumnType<number[], string, string>;
  rollover_cap_pct: number | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** One budget in one period (`YYYY-MM`); amounts in the budget's unit. */
export interface BudgetPeriodsTable {
  org_id: string;
  budget_id: string;
  period: string;
  limit_amount: number;
  rollover_in: Generated<number>;
  /** Snapshot taken when the period closed. */
  spent: number | null;
  thresholds_fired: ColumnType<number[], string | undefined, string>;
  closed_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

export interface BudgetRolloversTable {
  id: Generated<string>;
  org_id: string;
  budget_id: string;
  from_period: string;
  to_period: string;
  limit_amount: number;
  rollover_in: number;
  spent: number;
  unused: number;
  cap_pct: number;
  amount: number;
  created_at: ColumnType<Date, never, never>;
}

export type ExemptionStatus = 'requested' | 'approved' | 'rejected';

export interface BudgetExemptionsTable {
  id: Generated<string>;
  org_id: string;
  budget_id: string;
  user_id: string;
  period: string;
  kind: 'raise' | 'lift';
  raise_tokens: number | null;
  justification: Generated<string>;
  status: Generated<ExemptionStatus>;
  requested_by_type: string;
  requested_by: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface ModelPricesTable {
  org_id: string;
  provider: string;
  /** `*` prices every model of the provider. */
  model: string;
  input_per_mtok: number;
  output_per_mtok: number;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface UserBlocksTable {
  org_id: string;
  user_id: string;
  reason: string;
  /** Who blocked: `admin`, or `policy:<id>`. */
  source: Generated<string>;
  until: Date | null;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  budgets: BudgetsTable;
  budget_periods: BudgetPeriodsTable;
  budget_rollovers: BudgetRolloversTable;
  budget_exemptions: BudgetExemptionsTable;
  model_prices: ModelPricesTable;
  user_blocks: UserBlocksTable;
}

/** Response shapes of the budgets API (apps/server/src/http/v1/{budgets,departments-tree,exemptions}). */
export interface BudgetGauge {
  id: string;
  cap: 'soft' | 'hard';
  unit: 'tokens' | 'cost';
  limit: number;
  rollover_in: number;
  effective_limit: number;
  spent: number;
  used_pct: number;
  remaining: number;
  thresholds: number[];
  thresholds_fired: number[];
}

export interface TreeNode {
  id: string;
  name: string;
  parent_id: string | null;
  own_tokens: number;
  total_tokens: number;
  total_cost: number;
  budget: BudgetGauge | null;
  children: TreeNode[];
}

export interface DepartmentTree {
  period: string;
  time_zone: string;
  org: { total_tokens: number; total_cost: number; unattributed_tokens: number; budget: BudgetGauge | null };
  departments: TreeNode[];
}

export interface Budget {
  id: string;
  department_id: string | null;
  unit: 'tokens' | 'cost';
  limit_tokens: number | null;
  limit_cost: number | null;
  cap: 'soft' | 'hard';
  thresholds: number[];
  rollover_cap_pct: number | null;
}

export interface Rollover {
  from_period: string;
  to_period: string;
  limit_amount: number;
  rollover_in: number;
  spent: number;
  unused: number;
  cap_pct: number;
  amount: number;
}

export interface Exemption {
  id: string;
  budget_id: string;
  user_id: string;
  period: string;
  kind: 'raise' | 'lift';
  raise_tokens: number | null;
  justification: string;
  status: 'requested' | 'approved' | 'rejected';
  requested_by_type: string;
  requested_by: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

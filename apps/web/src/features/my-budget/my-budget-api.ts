import { api } from '../../api.js';

export interface MyBudgetLine {
  id: string;
  department_id: string | null;
  scope_name: string;
  cap: 'soft' | 'hard';
  unit: 'tokens' | 'cost';
  limit: number;
  used: number;
  used_tokens: number;
  exemption: { kind: 'lift' } | { kind: 'raise'; tokens: number } | null;
}

export interface MyExemption {
  id: string;
  budget_id: string;
  period: string;
  kind: 'raise' | 'lift';
  raise_tokens: number | null;
  justification: string;
  status: 'requested' | 'approved' | 'rejected';
  decision_note: string | null;
  decided_at: string | null;
  created_at: string;
}

export interface MyBudget {
  period: string;
  status: {
    allow: boolean;
    blocked: boolean;
    code: 'ok' | 'soft_cap' | 'no_budget' | 'hard_cap' | 'blocked';
    reason: string;
    remaining_tokens: number | null;
    budget_id: string | null;
  };
  budgets: MyBudgetLine[];
  exemptions: MyExemption[];
}

export const getMyBudget = () => api<MyBudget>('/v1/me/budget');

export interface ExemptionAsk {
  budget_id: string;
  /** Undefined: lift the cap entirely. */
  raise_tokens?: number | undefined;
  justification: string;
}

/** Asks for myself: the server lets a user request for themselves (and their manager or an admin). */
export const requestExemption = (userId: string, ask: ExemptionAsk) =>
  api<MyExemption>('/v1/exemptions', {
    method: 'POST',
    body: {
      user_id: userId,
      budget_id: ask.budget_id,
      ...(ask.raise_tokens === undefined ? { lift: true } : { raise_tokens: ask.raise_tokens }),
      ...(ask.justification ? { justification: ask.justification } : {}),
    },
  });

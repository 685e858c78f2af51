/*
 * The shapes of governance notices (budget thresholds, shadow-AI gaps, alerts, risk events). They
 * travel as domain events through the outbox (events/kinds.ts); there is no in-memory bus for them.
 */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** A budget crossed one of its alert thresholds (emitted once per threshold per period). */
export interface BudgetThresholdNotice {
  orgId: string;
  budgetId: string;
  /** null = the whole-org budget. */
  departmentId: string | null;
  /** Set when the threshold is a per-user one (e.g. an exemption cap). */
  userId?: string | null;
  thresholdPct: number;
  usedTokens: number;
  limitTokens: number | null;
  /** The budget's unit, its effective limit and spend in that unit (absent in older signals: tokens). */
  unit?: 'tokens' | 'cost';
  limit?: number;
  spent?: number;
  /** The department's name, or "the organisation" (absent in older signals). */
  scopeName?: string;
  cap: 'soft' | 'hard';
  /** The period, e.g. "2026-11" (calendar month in the org's time zone). */
  period: string;
  at: string;
}

/** Reconciliation found provider-reported usage the agents did not see (per provider per day). */
export interface ShadowAiGapNotice {
  orgId: string;
  provider: string;
  day: string;
  gapTokens: number;
  /** The uncertainty band of the gap and its share of the provider-reported total. */
  band?: { lower: number; upper: number };
  share?: number;
  at: string;
}

/** An alert was stored: what the Slack app posts. */
export interface AlertCreatedNotice {
  orgId: string;
  alert: {
    id: string;
    severity: Severity;
    title: string;
    body: string;
    source: string;
    source_id: string | null;
    user_id: string | null;
    department_id: string | null;
    created_at: string;
  };
}

/** A risk event was stored (e.g. from the GitHub webhook). */
export interface RiskEventNotice {
  orgId: string;
  riskEvent: {
    id: string;
    kind: string;
    level: Severity;
    occurred_at: string;
    user_id: string | null;
    department_id: string | null;
    repository: string | null;
  };
}

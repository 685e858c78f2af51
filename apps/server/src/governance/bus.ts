import { EventEmitter } from 'node:events';

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
  reportedTokens?: number;
  observedTokens?: number;
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

export interface GovernanceEvents {
  'budget.threshold': [BudgetThresholdNotice];
  'shadow_ai.gap': [ShadowAiGapNotice];
  'alert.created': [AlertCreatedNotice];
  'risk.event': [RiskEventNotice];
}

/**
 * In-process, after-commit notices between governance features: budgets and reconciliation
 * publish, the policy engine and the Slack app subscribe. Publish from `tx.onCommit` so a
 * notice means the change is durable. A throwing listener is isolated from the publisher.
 */
export class GovernanceBus extends EventEmitter<GovernanceEvents> {
  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {
    super();
    this.setMaxListeners(0);
  }

  publish<K extends keyof GovernanceEvents>(kind: K, ...args: GovernanceEvents[K]): void {
    for (const listener of this.listeners(kind)) {
      try {
        (listener as (...a: GovernanceEvents[K]) => void)(...args);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

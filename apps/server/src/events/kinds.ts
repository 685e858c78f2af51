import type { AlertView } from '../alerts/service.js';
import type { BudgetThresholdNotice, RiskEventNotice, ShadowAiGapNotice } from '../governance/bus.js';
import type { UsageBatchNotice } from '../usage/bus.js';

/** What each domain event carries (stored as the outbox row's payload). */
export interface EventPayloads {
  /** A committed ingest batch (agents, the /v1/events API, the extension). */
  'usage.committed': UsageBatchNotice;
  'alert.created': AlertView;
  /** Recorded once per budget, threshold and period (budget_periods.fired). */
  'budget.threshold_crossed': Omit<BudgetThresholdNotice, 'orgId'>;
  /** Budgets, departments (the tree budgets roll up), prices: preflight reloads the org's config. */
  'budget.changed': { what: 'budget' | 'department' | 'price' };
  'exemption.decided': { exemptionId: string; decision: 'approved' | 'rejected' };
  /** A manual block set (block) or lifted (null). */
  'user.blocked': { userId: string; block: { reason: string; until: string | null } | null };
  'tier.changed': { userId: string | null };
  'device.revoked': { deviceId: string };
  'api_key.revoked': { keyId: string };
  'risk_event.received': RiskEventNotice['riskEvent'];
  'shadow_ai.gap_detected': Omit<ShadowAiGapNotice, 'orgId'>;
  /** A webhook delivery gave up (dead letter): alerts subscribe to it. */
  'webhook.died': {
    deliveryId: string;
    url: string;
    attempts: number;
    maxAttempts: number;
    error: string;
  };
}

export type EventKind = keyof EventPayloads;

/** One outbox row as handlers and listeners see it. */
export interface DomainEvent<K extends EventKind = EventKind> {
  id: number;
  orgId: string;
  kind: K;
  payload: EventPayloads[K];
  /** The EventFeed (server process) that wrote it. */
  origin: string;
}

export function isKind<K extends EventKind>(event: DomainEvent, kind: K): event is DomainEvent<K> {
  return event.kind === kind;
}

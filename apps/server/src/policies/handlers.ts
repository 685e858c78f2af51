import { defineHandler } from '../events/handlers.js';
import { evaluateBatch, evaluateBudget, evaluateRisk, evaluateShadow } from './engine.js';

/** Usage-driven triggers; firings are idempotent per policy and dedupe key, so a rerun is harmless. */
export const policiesOnUsage = defineHandler({
  name: 'policies.usage',
  kinds: ['usage.committed'],
  run: (ctx, event) => evaluateBatch(ctx, { ...event.payload, orgId: event.orgId }),
});

export const policiesOnBudget = defineHandler({
  name: 'policies.budget',
  kinds: ['budget.threshold_crossed'],
  run: (ctx, event, claim) => evaluateBudget(ctx, { ...event.payload, orgId: event.orgId }, claim),
});

export const policiesOnRisk = defineHandler({
  name: 'policies.risk',
  kinds: ['risk_event.received'],
  run: (ctx, event) => evaluateRisk(ctx, { orgId: event.orgId, riskEvent: event.payload }),
});

export const policiesOnShadowAi = defineHandler({
  name: 'policies.shadow_ai',
  kinds: ['shadow_ai.gap_detected'],
  run: (ctx, event, claim) => evaluateShadow(ctx, { ...event.payload, orgId: event.orgId }, claim),
});

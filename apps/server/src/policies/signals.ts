import { evaluateConditions, type PolicySubject, type RiskLevel } from '@toktra/core';
import type { RunnablePolicy } from './service.js';
import { type Candidate, departmentPath, hourInZone } from './usage-stream.js';

export interface RiskSignal {
  id: string;
  kind: string;
  level: RiskLevel;
  occurred_at: Date;
  user_id: string | null;
  department_id: string | null;
  repository: string | null;
}

export interface BudgetSignal {
  id: string;
  occurred_at: Date;
  budgetId: string;
  departmentId: string | null;
  userId: string | null;
  thresholdPct: number;
  usedTokens: number;
  period: string;
}

export interface ShadowSignal {
  id: string;
  occurred_at: Date;
  provider: string;
  day: string;
  gapTokens: number;
}

type Parents = ReadonlyMap<string, string | null>;

function who(userId: string | null, departmentId: string | null, parents: Parents): PolicySubject {
  return {
    ...(userId ? { user_id: userId } : {}),
    ...(departmentId
      ? { department_id: departmentId, department_path: departmentPath(departmentId, parents) }
      : {}),
  };
}

export function riskCandidates(
  risk: RiskSignal,
  policies: readonly RunnablePolicy[],
  timeZone: string,
  parents: Parents,
): Candidate[] {
  const subject: PolicySubject = {
    risk_level: risk.level,
    hour_of_day: hourInZone(risk.occurred_at, timeZone),
    ...who(risk.user_id, risk.department_id, parents),
  };
  return policies
    .filter((p) => p.trigger.type === 'ip_risk' && evaluateConditions(p.conditions, subject))
    .map((policy) => ({
      policy,
      ref: { kind: 'risk_event' as const, id: risk.id },
      occurred_at: risk.occurred_at,
      dedupeKey: `risk:${risk.id}`,
      subject,
      summary: `IP risk event (${risk.level}): ${risk.kind.replaceAll('_', ' ')}${risk.repository ? ` in ${risk.repository}` : ''}.`,
    }));
}

export function budgetCandidates(
  s: BudgetSignal,
  policies: readonly RunnablePolicy[],
  timeZone: string,
  parents: Parents,
): Candidate[] {
  const subject: PolicySubject = {
    tokens: s.usedTokens,
    hour_of_day: hourInZone(s.occurred_at, timeZone),
    ...who(s.userId, s.departmentId, parents),
  };
  return policies
    .filter(
      (p) =>
        p.trigger.type === 'budget_exceeded' &&
        s.thresholdPct >= p.trigger.params.min_threshold_pct &&
        evaluateConditions(p.conditions, subject),
    )
    .map((policy) => ({
      policy,
      ref: { kind: 'signal' as const, id: s.id },
      occurred_at: s.occurred_at,
      dedupeKey: `budget:${s.budgetId}:${s.userId ?? ''}:${s.period}:${s.thresholdPct}`,
      subject,
      summary: `A budget reached ${s.thresholdPct}% (${s.usedTokens} tokens used in ${s.period}).`,
    }));
}

export function shadowCandidates(
  s: ShadowSignal,
  policies: readonly RunnablePolicy[],
  timeZone: string,
): Candidate[] {
  const subject: PolicySubject = {
    tokens: s.gapTokens,
    provider: s.provider,
    hour_of_day: hourInZone(s.occurred_at, timeZone),
  };
  return policies
    .filter(
      (p) =>
        p.trigger.type === 'shadow_ai_gap' &&
        s.gapTokens >= p.trigger.params.min_gap_tokens &&
        evaluateConditions(p.conditions, subject),
    )
    .map((policy) => ({
      policy,
      ref: { kind: 'signal' as const, id: s.id },
      occurred_at: s.occurred_at,
      dedupeKey: `shadow:${s.provider}:${s.day}`,
      subject,
      summary: `${s.provider} reported ${s.gapTokens} more tokens on ${s.day} than the agents observed (shadow AI).`,
    }));
}

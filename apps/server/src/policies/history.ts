import { AppError, type RiskLevel } from '@toktra/core';
import type { Database } from '@toktra/db';
import type { BudgetThresholdNotice, ShadowAiGapNotice } from '../governance/bus.js';
import { byTimeThenId, signalFromBudget, USAGE_LOOKBACK_MS } from './engine.js';
import { loadPolicyOrgFacts } from './org-facts.js';
import { getPolicyVersion, type RunnablePolicy } from './service.js';
import { budgetCandidates, riskCandidates, shadowCandidates } from './signals.js';
import { type Candidate, type StreamEvent, UsageStream } from './usage-stream.js';

/** Most events one test replays; beyond it the answer says `truncated` rather than run unbounded. */
export const MAX_HISTORY_EVENTS = 500_000;

export interface PolicyTestResult {
  version: number;
  window: { from: string; to: string; days: number };
  /** Usage events, risk events or signals in the window that were evaluated. */
  evaluated: number;
  /** Of those, how many matched the trigger and conditions. */
  matched: number;
  /** How many firings that would have made (each dedupe key — user-day, department-period … — fires once). */
  would_fire: number;
  truncated: boolean;
  examples: Array<{
    occurred_at: string;
    ref: Candidate['ref'];
    dedupe_key: string;
    subject: Record<string, unknown>;
    summary: string;
  }>;
}

/**
 * Replays the window through the same trigger code the live engine runs (a fresh dedupe set,
 * nothing is fired or stored): how many events would have fired the given version.
 */
export async function testPolicyAgainstHistory(
  db: Database,
  orgId: string,
  policyId: string,
  options: { windowDays: number; examples: number; version?: number; now?: Date },
): Promise<PolicyTestResult> {
  const to = options.now ?? new Date();
  const from = new Date(to.getTime() - options.windowDays * 86_400_000);
  return db.withTenant(orgId, async (tx) => {
    const policyRow = await tx.db
      .selectFrom('policies')
      .select('current_version')
      .where('org_id', '=', orgId)
      .where('id', '=', policyId)
      .executeTakeFirst();
    if (!policyRow) throw new AppError('not_found', `policy ${policyId} not found`);
    const policy: RunnablePolicy = {
      id: policyId,
      ...(await getPolicyVersion(tx, orgId, policyId, options.version ?? policyRow.current_version)),
    };
    const facts = await loadPolicyOrgFacts(tx, orgId);
    const candidates: Candidate[][] = [];
    let evaluated = 0;
    let truncated = false;
    const type = policy.trigger.type;
    if (type === 'unusual_usage' || type === 'department_threshold') {
      const rows = await tx.db
        .selectFrom('events')
        .select([
          'id',
          'occurred_at',
          'user_id',
          'department_id',
          'model',
          'provider',
          'est_input_tokens',
          'est_output_tokens',
        ])
        .where('org_id', '=', orgId)
        .where('occurred_at', '>=', new Date(from.getTime() - USAGE_LOOKBACK_MS))
        .where('occurred_at', '<', to)
        .orderBy('occurred_at')
        .orderBy('id')
        .limit(MAX_HISTORY_EVENTS + 1)
        .execute();
      truncated = rows.length > MAX_HISTORY_EVENTS;
      const stream = new UsageStream(facts.timeZone, facts.parents);
      const events: StreamEvent[] = rows.slice(0, MAX_HISTORY_EVENTS).map((r) => ({
        id: r.id,
        occurred_at: r.occurred_at,
        user_id: r.user_id,
        department_id: r.department_id,
        model: r.model,
        provider: r.provider,
        tokens: r.est_input_tokens + r.est_output_tokens,
      }));
      events.sort(byTimeThenId);
      for (const e of events) {
        if (e.occurred_at < from) {
          stream.add(e);
          continue;
        }
        evaluated++;
        candidates.push(stream.evaluate(e, [policy]));
      }
    } else if (type === 'ip_risk') {
      const rows = await tx.db
        .selectFrom('risk_events')
        .select(['id', 'kind', 'level', 'occurred_at', 'user_id', 'department_id', 'repository'])
        .where('org_id', '=', orgId)
        .where('occurred_at', '>=', from)
        .where('occurred_at', '<', to)
        .orderBy('occurred_at')
        .execute();
      for (const r of rows) {
        evaluated++;
        candidates.push(
          riskCandidates({ ...r, level: r.level as RiskLevel }, [policy], facts.timeZone, facts.parents),
        );
      }
    } else {
      const kind = type === 'budget_exceeded' ? 'budget.threshold' : 'shadow_ai.gap';
      const rows = await tx.db
        .selectFrom('governance_signals')
        .select(['id', 'occurred_at', 'payload'])
        .where('org_id', '=', orgId)
        .where('kind', '=', kind)
        .where('occurred_at', '>=', from)
        .where('occurred_at', '<', to)
        .orderBy('occurred_at')
        .execute();
      for (const r of rows) {
        evaluated++;
        if (type === 'budget_exceeded') {
          const n = r.payload as unknown as BudgetThresholdNotice;
          candidates.push(
            budgetCandidates(signalFromBudget(r.id, n), [policy], facts.timeZone, facts.parents),
          );
        } else {
          const n = r.payload as unknown as ShadowAiGapNotice;
          candidates.push(
            shadowCandidates(
              {
                id: r.id,
                occurred_at: r.occurred_at,
                provider: n.provider,
                day: n.day,
                gapTokens: n.gapTokens,
              },
              [policy],
              facts.timeZone,
            ),
          );
        }
      }
    }
    const seen = new Set<string>();
    const fired: Candidate[] = [];
    for (const c of candidates.flat()) {
      if (seen.has(c.dedupeKey)) continue;
      seen.add(c.dedupeKey);
      fired.push(c);
    }
    return {
      version: policy.version,
      window: { from: from.toISOString(), to: to.toISOString(), days: options.windowDays },
      evaluated,
      matched: candidates.filter((list) => list.length > 0).length,
      would_fire: fired.length,
      truncated,
      examples: fired.slice(0, options.examples).map((c) => ({
        occurred_at: c.occurred_at.toISOString(),
        ref: c.ref,
        dedupe_key: c.dedupeKey,
        subject: { ...c.subject },
        summary: c.summary,
      })),
    };
  });
}

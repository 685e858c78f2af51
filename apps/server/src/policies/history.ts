import { AppError, type RiskLevel, startOfLocalDay } from '@toktra/core';
import type { Database, Tx } from '@toktra/db';
import type { BudgetThresholdNotice, ShadowAiGapNotice } from '../governance/bus.js';
import { dayInZone } from '../usage/time-zone.js';
import { byTimeThenId, signalFromBudget, USAGE_LOOKBACK_MS } from './engine.js';
import { countFiredBy, type FiredBy } from './fired-by.js';
import { loadPolicyOrgFacts } from './org-facts.js';
import { replayFromRollups, rollupsDecide } from './rollup-replay.js';
import { getPolicyVersion, type RunnablePolicy } from './service.js';
import { budgetCandidates, riskCandidates, shadowCandidates } from './signals.js';
import { type Candidate, type StreamEvent, UsageStream } from './usage-stream.js';

/** Most events one test replays; beyond it the answer says `truncated` rather than run unbounded. */
export const MAX_HISTORY_EVENTS = 500_000;

export interface PolicyTestResult {
  version: number;
  window: { from: string; to: string; days: number };
  /**
   * `rollups`: a usage trigger decided day by day from the daily rollups (every event counts, also
   * days kept only as rollups); `events`: raw events replayed one by one (conditions read per-event
   * fields); `signals`: stored risk events or governance signals.
   */
  method: 'rollups' | 'events' | 'signals';
  /** Usage events, risk events or signals in the window that were evaluated. */
  evaluated: number;
  /** Of those, how many matched the trigger and conditions (null from rollups: only days are known). */
  matched: number | null;
  /**
   * Events the rollups count in the window that have no raw row to replay (days seeded as rollups,
   * or raw events already gone): `would_fire` is then a lower bound. 0 for exact answers.
   */
  unreplayed_events: number;
  /** How many firings that would have made (each dedupe key — user-day, department-period … — fires once). */
  would_fire: number;
  truncated: boolean;
  /** Who would have fired: every firing counted by its department and by its user. */
  fired_by: FiredBy;
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
 * nothing is fired or stored): how many times, and for whom, the given version would have fired.
 * The window starts at the org-local midnight `window_days` back, so daily rollups cover it whole.
 */
export async function testPolicyAgainstHistory(
  db: Database,
  orgId: string,
  policyId: string,
  options: { windowDays: number; examples: number; version?: number; now?: Date },
): Promise<PolicyTestResult> {
  const to = options.now ?? new Date();
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
    const firstDay = dayInZone(to.getTime() - options.windowDays * 86_400_000, facts.timeZone);
    const lastDay = dayInZone(to, facts.timeZone);
    const from = startOfLocalDay(firstDay, facts.timeZone);
    const candidates: Candidate[][] = [];
    let evaluated = 0;
    let matched: number | null = null;
    let truncated = false;
    let unreplayed = 0;
    let method: PolicyTestResult['method'] = 'signals';
    const type = policy.trigger.type;
    const fromRollups = rollupsDecide(policy)
      ? await replayFromRollups(tx, orgId, policy, facts, firstDay, lastDay)
      : null;
    if (fromRollups) {
      method = 'rollups';
      evaluated = fromRollups.evaluated;
      candidates.push(fromRollups.candidates);
    } else if (type === 'unusual_usage' || type === 'department_threshold') {
      method = 'events';
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
      matched = candidates.filter((list) => list.length > 0).length;
      unreplayed = Math.max(0, (await countRollupEvents(tx, orgId, firstDay, lastDay)) - evaluated);
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
    if (method === 'signals') matched = candidates.filter((list) => list.length > 0).length;
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
      method,
      evaluated,
      matched,
      unreplayed_events: unreplayed,
      would_fire: fired.length,
      truncated,
      fired_by: await countFiredBy(tx, orgId, fired),
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

/** Events the daily rollups count in `[firstDay, lastDay]`. */
async function countRollupEvents(tx: Tx, orgId: string, firstDay: string, lastDay: string): Promise<number> {
  const row = await tx.db
    .selectFrom('usage_daily')
    .select((eb) => eb.fn.sum<number>('events').as('n'))
    .where('org_id', '=', orgId)
    .where('bucket', '>=', firstDay)
    .where('bucket', '<=', lastDay)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

import {
  BASELINE_DAYS,
  type ConditionNode,
  evaluateConditions,
  type PolicySubject,
  robustZScore,
  startOfLocalDay,
} from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { addDays } from '../usage/time-zone.js';
import type { PolicyOrgFacts } from './org-facts.js';
import type { RunnablePolicy } from './service.js';
import { type Candidate, departmentPath } from './usage-stream.js';

/** Every field a condition tree reads. */
export function conditionFields(node: ConditionNode | null): Set<string> {
  const fields = new Set<string>();
  const walk = (n: ConditionNode) => {
    if ('all' in n) n.all.forEach(walk);
    else if ('any' in n) n.any.forEach(walk);
    else fields.add(n.field);
  };
  if (node) walk(node);
  return fields;
}

/**
 * Whether the daily rollups decide a usage trigger exactly. Both usage triggers fire at most once
 * per bucket (a department's day/month, a user's day), and their measure only grows within it
 * (tokens ≥ 0; the z-score is monotone in the total for a fixed baseline), so the bucket fires iff
 * its final total qualifies — provided the conditions read nothing that differs from event to event
 * inside the bucket (provider, model, hour, the running tokens or z-score).
 */
export function rollupsDecide(policy: RunnablePolicy): boolean {
  const fields = conditionFields(policy.conditions);
  const only = (allowed: string[]) => [...fields].every((f) => allowed.includes(f));
  const t = policy.trigger;
  if (t.type === 'department_threshold') return only(['department_id']);
  if (t.type === 'unusual_usage') return t.params.granularity === 'day' && only(['user_id', 'department_id']);
  return false;
}

export interface RollupReplay {
  /** Events (as counted by the rollups) in the window's days. */
  evaluated: number;
  candidates: Candidate[];
}

interface DayRow {
  day: string;
  user_id: string | null;
  department_id: string | null;
  tokens: number;
  events: number;
}

/**
 * Replays a usage trigger over the window's local days `[firstDay, lastDay]` from the daily
 * rollups (which count every event, including days whose raw events are gone or were never kept).
 * Null when a user-day spans several departments and a condition reads the department: which
 * event crossed first, and so which department it carried, is then only in the raw events.
 */
export async function replayFromRollups(
  tx: Tx,
  orgId: string,
  policy: RunnablePolicy,
  facts: PolicyOrgFacts,
  firstDay: string,
  lastDay: string,
): Promise<RollupReplay | null> {
  const t = policy.trigger;
  const since =
    t.type === 'department_threshold'
      ? t.params.period === 'month'
        ? `${firstDay.slice(0, 7)}-01`
        : firstDay
      : addDays(firstDay, -BASELINE_DAYS);
  const rows = (
    await tx.db
      .selectFrom('usage_daily')
      .select((eb) => [
        sql<string>`bucket::text`.as('day'),
        'user_id',
        'department_id',
        eb.fn.sum<number>(sql`est_input_tokens + est_output_tokens`).as('tokens'),
        eb.fn.sum<number>('events').as('events'),
      ])
      .where('org_id', '=', orgId)
      .where('bucket', '>=', since)
      .where('bucket', '<=', lastDay)
      .groupBy(['bucket', 'user_id', 'department_id'])
      .execute()
  ).map((r): DayRow => ({ ...r, tokens: Number(r.tokens), events: Number(r.events) }));
  const evaluated = rows.filter((r) => r.day >= firstDay).reduce((s, r) => s + r.events, 0);
  const candidates =
    t.type === 'department_threshold'
      ? departmentCrossings(rows, policy, t.params, facts, firstDay)
      : t.type === 'unusual_usage'
        ? unusualDays(rows, policy, t.params, facts, firstDay)
        : [];
  return candidates ? { evaluated, candidates } : null;
}

function departmentCrossings(
  rows: DayRow[],
  policy: RunnablePolicy,
  params: { limit_tokens: number; period: 'day' | 'month' },
  facts: PolicyOrgFacts,
  firstDay: string,
): Candidate[] {
  // Subtree tokens per department and day.
  const perDay = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (!r.department_id) continue;
    for (const dept of departmentPath(r.department_id, facts.parents)) {
      let days = perDay.get(dept);
      if (!days) {
        days = new Map();
        perDay.set(dept, days);
      }
      days.set(r.day, (days.get(r.day) ?? 0) + r.tokens);
    }
  }
  const found: Candidate[] = [];
  for (const [dept, days] of perDay) {
    const running = new Map<string, number>();
    for (const day of [...days.keys()].sort()) {
      const period = params.period === 'day' ? day : day.slice(0, 7);
      const before = running.get(period) ?? 0;
      const after = before + (days.get(day) ?? 0);
      running.set(period, after);
      if (day < firstDay || !(before < params.limit_tokens && after >= params.limit_tokens)) continue;
      const subject: PolicySubject = {
        tokens: after,
        department_id: dept,
        department_path: departmentPath(dept, facts.parents),
      };
      if (!evaluateConditions(policy.conditions, subject)) continue;
      found.push({
        policy,
        ref: { kind: 'day', id: `${dept}:${day}` },
        occurred_at: startOfLocalDay(day, facts.timeZone),
        dedupeKey: `department:${dept}:${period}`,
        subject,
        summary: `The department's usage reached ${params.limit_tokens} tokens this ${params.period} on ${day} (${after} by the end of that day).`,
      });
    }
  }
  return found.sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
}

function unusualDays(
  rows: DayRow[],
  policy: RunnablePolicy,
  params: { min_zscore: number; min_tokens: number },
  facts: PolicyOrgFacts,
  firstDay: string,
): Candidate[] | null {
  const readsDepartment = conditionFields(policy.conditions).has('department_id');
  const users = new Map<string, Map<string, { tokens: number; departments: Set<string | null> }>>();
  for (const r of rows) {
    if (!r.user_id) continue;
    let days = users.get(r.user_id);
    if (!days) {
      days = new Map();
      users.set(r.user_id, days);
    }
    const cell = days.get(r.day) ?? { tokens: 0, departments: new Set() };
    cell.tokens += r.tokens;
    cell.departments.add(r.department_id);
    days.set(r.day, cell);
  }
  const found: Candidate[] = [];
  for (const [user, days] of users) {
    for (const [day, cell] of days) {
      if (day < firstDay || cell.tokens < params.min_tokens) continue;
      const history: number[] = [];
      for (let i = 1; i <= BASELINE_DAYS; i++) history.push(days.get(addDays(day, -i))?.tokens ?? 0);
      const zscore = robustZScore(cell.tokens, history);
      if (zscore < params.min_zscore) continue;
      if (readsDepartment && cell.departments.size > 1) return null;
      const department = [...cell.departments][0] ?? null;
      const subject: PolicySubject = {
        user_id: user,
        tokens: cell.tokens,
        zscore,
        ...(department
          ? { department_id: department, department_path: departmentPath(department, facts.parents) }
          : {}),
      };
      if (!evaluateConditions(policy.conditions, subject)) continue;
      found.push({
        policy,
        ref: { kind: 'day', id: `${user}:${day}` },
        occurred_at: startOfLocalDay(day, facts.timeZone),
        dedupeKey: `unusual:${user}:${day}`,
        subject,
        summary: `${cell.tokens} tokens on ${day}, a robust z-score of ${Number.isFinite(zscore) ? zscore.toFixed(1) : '∞'} against the last ${BASELINE_DAYS} days.`,
      });
    }
  }
  return found.sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
}

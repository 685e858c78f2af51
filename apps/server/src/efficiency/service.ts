import {
  AppError,
  coachingTips,
  computeEfficiency,
  type EfficiencyComponents,
  type ModelTier,
  type TrendIndicator,
  tierForScore,
  trendIndicator,
} from '@toktra/core';
import type { Tx } from '@toktra/db';
import { inReach, type Scope, usageFilterOf } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { loadDepartmentClosure } from '../departments/closure.js';
import { assertDepartment, departmentSubtree } from '../departments/service.js';
import { addDays, dayInZone } from '../usage/time-zone.js';
import { loadEfficiencyInputs } from './inputs.js';
import { readStoredUserScores, type StoredUserScore } from './stored.js';

export const DEFAULT_WINDOW_DAYS = 30;

export interface UserScore {
  user_id: string;
  name: string;
  email: string;
  department_id: string | null;
  score: number | null;
  previous_score: number | null;
  trend: TrendIndicator;
  components: EfficiencyComponents;
  events: number;
  coaching: string[];
  tier: ModelTier;
  tier_source: 'score' | 'override';
}

export interface ScoreQuery {
  endDay?: string | undefined;
  windowDays?: number | undefined;
  departmentId?: string | undefined;
  /** Only these people (e.g. one person for the preflight's tier). */
  userIds?: string[] | undefined;
  /** Score from the usage even where the job's stored scores could answer (the job itself). */
  recompute?: boolean | undefined;
}

export interface ScoreSet {
  end_day: string;
  window_days: number;
  users: UserScore[];
}

export async function orgTimeZone(tx: Tx, orgId: string): Promise<string> {
  const org = await tx.db.selectFrom('orgs').select('time_zone').where('id', '=', orgId).executeTakeFirst();
  if (!org) throw new AppError('not_found', `organization ${orgId} not found`);
  return org.time_zone;
}

/**
 * Every person's score for the window ending `endDay` (default today, org time zone) and the
 * window before it, with the trend, coaching tips and effective model tier. Inside `tx`.
 */
export async function scoreUsersInTx(tx: Tx, orgId: string, query: ScoreQuery): Promise<ScoreSet> {
  const timeZone = await orgTimeZone(tx, orgId);
  const endDay = query.endDay ?? dayInZone(Date.now(), timeZone);
  const days = query.windowDays ?? DEFAULT_WINDOW_DAYS;
  let departments: string[] | undefined;
  if (query.departmentId) {
    await assertDepartment(tx, orgId, query.departmentId);
    departments = await departmentSubtree(tx, orgId, query.departmentId);
  }
  const people = await tx.db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'department_id'])
    .where('org_id', '=', orgId)
    .$if(departments !== undefined, (q) => q.where('department_id', 'in', departments as string[]))
    .$if(query.userIds !== undefined, (q) => q.where('id', 'in', query.userIds as string[]))
    .orderBy('name')
    .orderBy('id')
    .execute();
  const ids = people.map((p) => p.id);
  if (ids.length === 0) return { end_day: endDay, window_days: days, users: [] };
  // Today's default view is what the scores job stored; other days and windows are scored live.
  const stored =
    query.endDay === undefined && days === DEFAULT_WINDOW_DAYS && !query.recompute
      ? await readStoredUserScores(tx, orgId, endDay, days)
      : null;
  const scored = stored?.users ?? (await scoreLive(tx, orgId, timeZone, { endDay, days }, ids));
  const overrides = new Map(
    (
      await tx.db
        .selectFrom('tier_overrides')
        .select(['user_id', 'tier'])
        .where('org_id', '=', orgId)
        .$if(ids.length <= 1000, (q) => q.where('user_id', 'in', ids))
        .execute()
    ).map((o) => [o.user_id, o.tier]),
  );
  const idle = computeEfficiency({ ...ZERO });
  const users = people.map((p): UserScore => {
    const s = scored.get(p.id) ?? {
      score: idle.score,
      previous_score: null,
      events: 0,
      components: idle.components,
    };
    const override = overrides.get(p.id);
    return {
      user_id: p.id,
      name: p.name,
      email: p.email,
      department_id: p.department_id,
      score: s.score,
      previous_score: s.previous_score,
      trend: trendIndicator(s.score, s.previous_score),
      components: s.components,
      events: s.events,
      coaching: coachingTips(s.components),
      tier: override ?? tierForScore(s.score),
      tier_source: override ? 'override' : 'score',
    };
  });
  return { end_day: stored?.day ?? endDay, window_days: days, users };
}

/** Scores the window ending `endDay` and the one before it from the usage itself. */
async function scoreLive(
  tx: Tx,
  orgId: string,
  timeZone: string,
  window: { endDay: string; days: number },
  ids: string[],
): Promise<Map<string, StoredUserScore>> {
  const current = await loadEfficiencyInputs(tx, orgId, timeZone, window, ids);
  const previous = await loadEfficiencyInputs(
    tx,
    orgId,
    timeZone,
    { endDay: addDays(window.endDay, -window.days), days: window.days },
    ids,
  );
  const result = new Map<string, StoredUserScore>();
  for (const id of new Set([...current.keys(), ...previous.keys()])) {
    const inputs = current.get(id);
    const now = computeEfficiency(inputs ?? { ...ZERO });
    const before = previous.get(id);
    result.set(id, {
      score: now.score,
      previous_score: before ? computeEfficiency(before).score : null,
      events: inputs?.events ?? 0,
      components: now.components,
    });
  }
  return result;
}

const ZERO = {
  events: 0,
  input_tokens: 0,
  output_tokens: 0,
  model_known_tokens: 0,
  premium_tokens: 0,
  burst_events: 0,
  resend_events: 0,
};

/**
 * The scored people within the scope's reach: a manager's subtree (a department outside it is a
 * 404), an employee themselves, org-wide callers everyone (or one department subtree).
 */
export async function scoreUsersInScope(tx: Tx, scope: Scope, query: ScoreQuery): Promise<ScoreSet> {
  const narrowed = {
    ...query,
    departmentId: usageFilterOf(scope, { departmentId: query.departmentId }).departmentId,
  };
  const set = await scoreUsersInTx(tx, scope.orgId, narrowed);
  return {
    ...set,
    users: set.users.filter((u) => inReach(scope, { userId: u.user_id, departmentId: u.department_id })),
  };
}

export async function scoreUsers(ctx: AppContext, scope: Scope, query: ScoreQuery): Promise<ScoreSet> {
  return ctx.db.withTenant(scope.orgId, (tx) => scoreUsersInScope(tx, scope, query));
}

export interface TeamScore {
  department_id: string;
  name: string;
  members: number;
  scored_members: number;
  score: number | null;
  previous_score: number | null;
  trend: TrendIndicator;
}

function meanOf(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.round(known.reduce((a, b) => a + b, 0) / known.length);
}

/**
 * A team's (department's) score is the plain mean of its scored members' scores, everyone in
 * the department's subtree counting once, so one heavy user cannot carry a team.
 */
export async function scoreTeams(
  ctx: AppContext,
  scope: Scope,
  query: Omit<ScoreQuery, 'departmentId'>,
): Promise<{ end_day: string; window_days: number; teams: TeamScore[] }> {
  const orgId = scope.orgId;
  return ctx.db.withTenant(orgId, async (tx) => {
    const set = await scoreUsersInScope(tx, scope, query);
    const departments = await tx.db
      .selectFrom('departments')
      .select(['id', 'name'])
      .where('org_id', '=', orgId)
      .orderBy('name')
      .execute();
    const teams: TeamScore[] = [];
    const closure = await loadDepartmentClosure(tx, orgId);
    for (const d of departments) {
      if (scope.reach !== 'org' && !inReach(scope, { departmentId: d.id })) continue;
      const subtree = closure.get(d.id) ?? new Set([d.id]);
      const members = set.users.filter((u) => u.department_id !== null && subtree.has(u.department_id));
      const score = meanOf(members.map((m) => m.score));
      const previous = meanOf(members.map((m) => m.previous_score));
      teams.push({
        department_id: d.id,
        name: d.name,
        members: members.length,
        scored_members: members.filter((m) => m.score !== null).length,
        score,
        previous_score: previous,
        trend: trendIndicator(score, previous),
      });
    }
    return { end_day: set.end_day, window_days: set.window_days, teams };
  });
}

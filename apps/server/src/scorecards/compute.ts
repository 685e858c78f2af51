import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { departmentSubtree } from '../departments/service.js';
import { orgTimeZone, scoreUsersInTx } from '../efficiency/service.js';
import { addDays } from '../usage/time-zone.js';

export const SUBJECT_TYPES = ['employee', 'team', 'department'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export interface ScorecardMetrics {
  eligible: number;
  active_30d: number;
  /** Share of eligible people with any usage in the last 30 days (0–1). */
  adoption_rate: number;
  tokens_30d: number;
  tokens_prev_30d: number;
  /** Change of the last 30 days against the 30 before, in percent (null when there were none). */
  token_trend_pct: number | null;
  tokens_90d: number;
  /** Tokens per week, 13 weeks, oldest first, ending with the scorecard's day. */
  weekly_tokens: number[];
  model_diversity: number;
  models: string[];
  provider_diversity: number;
  efficiency: {
    current: number | null;
    days_30_ago: number | null;
    days_90_ago: number | null;
    trend_30d: number | null;
    trend_90d: number | null;
  };
}

export interface Scorecard {
  subject_type: SubjectType;
  subject_id: string;
  name: string;
  metrics: ScorecardMetrics;
}

interface PersonData {
  daily: number[];
  models: Set<string>;
  providers: Set<string>;
  scores: [number | null, number | null, number | null];
}

const mean = (xs: Array<number | null>) => {
  const known = xs.filter((x): x is number => x !== null);
  return known.length ? Math.round(known.reduce((a, b) => a + b, 0) / known.length) : null;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function aggregate(people: PersonData[]): ScorecardMetrics {
  const daily = Array.from({ length: 91 }, (_, i) => sum(people.map((p) => p.daily[i] ?? 0)));
  const last90 = daily.slice(1);
  const tokens30 = sum(last90.slice(-30));
  const prev30 = sum(last90.slice(-60, -30));
  const models = new Set(people.flatMap((p) => [...p.models]));
  const providers = new Set(people.flatMap((p) => [...p.providers]));
  const active = people.filter((p) => sum(p.daily.slice(-30)) > 0).length;
  const [current, ago30, ago90] = [0, 1, 2].map((k) => mean(people.map((p) => p.scores[k as 0 | 1 | 2])));
  const weekly = Array.from({ length: 13 }, (_, w) => sum(daily.slice(91 - 7 * (13 - w), 91 - 7 * (12 - w))));
  return {
    eligible: people.length,
    active_30d: active,
    adoption_rate: people.length ? Math.round((1000 * active) / people.length) / 1000 : 0,
    tokens_30d: tokens30,
    tokens_prev_30d: prev30,
    token_trend_pct: prev30 > 0 ? Math.round((1000 * (tokens30 - prev30)) / prev30) / 10 : null,
    tokens_90d: sum(last90),
    weekly_tokens: weekly,
    model_diversity: models.size,
    models: [...models].sort(),
    provider_diversity: providers.size,
    efficiency: {
      current: current ?? null,
      days_30_ago: ago30 ?? null,
      days_90_ago: ago90 ?? null,
      trend_30d: current != null && ago30 != null ? current - ago30 : null,
      trend_90d: current != null && ago90 != null ? current - ago90 : null,
    },
  };
}

/**
 * Scorecards for the 90 days ending `day` (org time zone): one per employee, one per team (a
 * manager and their direct reports) and one per department (its whole subtree). Eligible = every
 * person in the scope; active = any usage in the last 30 days.
 */
export async function computeScorecards(tx: Tx, orgId: string, day: string): Promise<Scorecard[]> {
  await orgTimeZone(tx, orgId);
  const start = addDays(day, -90);
  const users = await tx.db
    .selectFrom('users')
    .select(['id', 'name', 'department_id', 'manager_id'])
    .where('org_id', '=', orgId)
    .orderBy('name')
    .execute();
  const rows = await sql<{
    user_id: string;
    day: string;
    provider: string;
    model: string | null;
    tokens: number;
  }>`
    SELECT user_id::text AS user_id, bucket::text AS day, provider, model,
      sum(est_input_tokens + est_output_tokens)::float8 AS tokens
    FROM usage_daily WHERE org_id = ${orgId} AND user_id IS NOT NULL AND bucket >= ${start}::date AND bucket <= ${day}::date
    GROUP BY 1, 2, 3, 4`.execute(tx.db);
  const now = await scoreUsersInTx(tx, orgId, { endDay: day });
  const ago30 = await scoreUsersInTx(tx, orgId, { endDay: addDays(day, -30) });
  const ago90 = await scoreUsersInTx(tx, orgId, { endDay: addDays(day, -90) });
  const scoreOf = (set: typeof now, id: string) => set.users.find((u) => u.user_id === id)?.score ?? null;
  const data = new Map<string, PersonData>();
  for (const u of users) {
    data.set(u.id, {
      daily: Array.from({ length: 91 }, () => 0),
      models: new Set(),
      providers: new Set(),
      scores: [scoreOf(now, u.id), scoreOf(ago30, u.id), scoreOf(ago90, u.id)],
    });
  }
  const dayIndex = (d: string) =>
    Math.round((Date.parse(`${d}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000);
  for (const r of rows.rows) {
    const person = data.get(r.user_id);
    if (!person) continue;
    const i = dayIndex(r.day);
    if (i >= 0 && i <= 90) person.daily[i] = (person.daily[i] ?? 0) + r.tokens;
    if (r.model) person.models.add(r.model);
    person.providers.add(r.provider);
  }
  const pick = (ids: string[]) =>
    ids.map((id) => data.get(id)).filter((p): p is PersonData => p !== undefined);
  const cards: Scorecard[] = users.map((u) => ({
    subject_type: 'employee',
    subject_id: u.id,
    name: u.name,
    metrics: aggregate(pick([u.id])),
  }));
  for (const manager of users) {
    const reports = users.filter((u) => u.manager_id === manager.id).map((u) => u.id);
    if (reports.length === 0) continue;
    cards.push({
      subject_type: 'team',
      subject_id: manager.id,
      name: `${manager.name}'s team`,
      metrics: aggregate(pick([manager.id, ...reports])),
    });
  }
  const departments = await tx.db
    .selectFrom('departments')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .orderBy('name')
    .execute();
  for (const d of departments) {
    const subtree = new Set(await departmentSubtree(tx, orgId, d.id));
    const members = users
      .filter((u) => u.department_id !== null && subtree.has(u.department_id))
      .map((u) => u.id);
    cards.push({
      subject_type: 'department',
      subject_id: d.id,
      name: d.name,
      metrics: aggregate(pick(members)),
    });
  }
  return cards;
}

import type { EfficiencyComponents } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { addDays } from '../usage/time-zone.js';

/** What the scores job stores per person (efficiency_scores.components of a `user` row). */
export interface StoredUserScore {
  score: number | null;
  previous_score: number | null;
  events: number;
  components: EfficiencyComponents;
}

/**
 * The latest 30-day scores the job stored (scorecards.nightly, once per org-local day soon after
 * midnight), if they are of today or yesterday: the dashboard reads these instead of scoring
 * everyone per request, so the default view is as of the last run (the tier lookup already was).
 * Older or missing sets answer null and the caller scores live. People without a row had no
 * usage in either window.
 */
export async function readStoredUserScores(
  tx: Tx,
  orgId: string,
  today: string,
  windowDays: number,
): Promise<{ day: string; users: Map<string, StoredUserScore> } | null> {
  const latest = await tx.db
    .selectFrom('efficiency_scores')
    .select(sql<string>`max(day)::text`.as('day'))
    .where('org_id', '=', orgId)
    .where('subject_type', '=', 'user')
    .where('window_days', '=', windowDays)
    .where('day', '>=', addDays(today, -1))
    .executeTakeFirst();
  if (!latest?.day) return null;
  const rows = await tx.db
    .selectFrom('efficiency_scores')
    .select(['subject_id', 'score', 'components'])
    .where('org_id', '=', orgId)
    .where('subject_type', '=', 'user')
    .where('window_days', '=', windowDays)
    .where('day', '=', latest.day)
    .execute();
  // Rows written before previous_score was stored cannot answer the trend: score live instead.
  if (rows.some((r) => !('previous_score' in r.components))) return null;
  const users = new Map<string, StoredUserScore>();
  for (const r of rows) {
    const { events, previous_score, ...components } = r.components as unknown as Omit<
      StoredUserScore,
      'score' | 'components'
    > &
      EfficiencyComponents;
    users.set(r.subject_id, { score: r.score, previous_score, events, components });
  }
  return { day: latest.day, users };
}

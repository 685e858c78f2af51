import { type EfficiencyInputs, requiredTierForModel } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { addDays } from '../usage/time-zone.js';

/** A call within this long after the same person's previous call to the same provider is a burst. */
export const BURST_SECONDS = 10;
/** Calls closer together than this belong to one session. */
export const SESSION_GAP_MINUTES = 30;
/** A call whose input is at least this multiple of the previous one in its session re-sends context. */
export const RESEND_GROWTH = 1.5;
/** …and at least this many input tokens (small prompts growing is not a context problem). */
export const RESEND_MIN_INPUT = 500;

export interface Window {
  /** Last day of the window, `YYYY-MM-DD` in the org's time zone (inclusive). */
  endDay: string;
  days: number;
}

/**
 * Per-person sums over a window of org-local days (metadata only). Counts, tokens and tokens per
 * model (whose tier the model map in core decides) come from the daily rollups, whose buckets are
 * already org-local days; bursts and context re-sends need each call's predecessor, so they come
 * from window functions over the raw events of each person's calls to each provider (history
 * kept only as rollups, such as the demo's, scores without them).
 */
export async function loadEfficiencyInputs(
  tx: Tx,
  orgId: string,
  timeZone: string,
  window: Window,
  userIds?: string[],
): Promise<Map<string, EfficiencyInputs>> {
  const firstDay = addDays(window.endDay, -(window.days - 1));
  const from = sql`(${firstDay}::date::timestamp AT TIME ZONE ${timeZone})`;
  const to = sql`(${addDays(window.endDay, 1)}::date::timestamp AT TIME ZONE ${timeZone})`;
  const users = userIds ? sql`AND user_id = ANY(${userIds}::uuid[])` : sql``;
  const sums = await sql<{
    user_id: string;
    model: string | null;
    events: number;
    input_tokens: number;
    output_tokens: number;
  }>`
    SELECT user_id::text AS user_id, model, sum(events)::float8 AS events,
      sum(est_input_tokens)::float8 AS input_tokens, sum(est_output_tokens)::float8 AS output_tokens
    FROM usage_daily
    WHERE org_id = ${orgId} AND user_id IS NOT NULL AND bucket >= ${firstDay}::date AND bucket <= ${window.endDay}::date ${users}
    GROUP BY user_id, model`.execute(tx.db);
  const bursts = await sql<{ user_id: string; burst_events: number; resend_events: number }>`
    WITH e AS (
      SELECT user_id, occurred_at, est_input_tokens AS i,
        lag(occurred_at) OVER w AS prev_at, lag(est_input_tokens) OVER w AS prev_in
      FROM events
      WHERE org_id = ${orgId} AND user_id IS NOT NULL AND occurred_at >= ${from} AND occurred_at < ${to} ${users}
      WINDOW w AS (PARTITION BY user_id, provider ORDER BY occurred_at, id)
    )
    SELECT user_id::text AS user_id,
      count(*) FILTER (WHERE occurred_at - prev_at < make_interval(secs => ${BURST_SECONDS}::int))::int AS burst_events,
      count(*) FILTER (WHERE occurred_at - prev_at < make_interval(mins => ${SESSION_GAP_MINUTES}::int)
        AND prev_in > 0 AND i >= ${RESEND_GROWTH}::float8 * prev_in AND i >= ${RESEND_MIN_INPUT}::int)::int AS resend_events
    FROM e GROUP BY user_id`.execute(tx.db);
  const result = new Map<string, EfficiencyInputs>();
  for (const row of sums.rows) {
    let inputs = result.get(row.user_id);
    if (!inputs) {
      inputs = { ...EMPTY };
      result.set(row.user_id, inputs);
    }
    inputs.events += row.events;
    inputs.input_tokens += row.input_tokens;
    inputs.output_tokens += row.output_tokens;
    if (row.model === null) continue;
    const tokens = row.input_tokens + row.output_tokens;
    inputs.model_known_tokens += tokens;
    if (requiredTierForModel(row.model) === 'premium') inputs.premium_tokens += tokens;
  }
  for (const row of bursts.rows) {
    const inputs = result.get(row.user_id);
    if (!inputs) continue;
    inputs.burst_events = row.burst_events;
    inputs.resend_events = row.resend_events;
  }
  return result;
}

const EMPTY: EfficiencyInputs = {
  events: 0,
  input_tokens: 0,
  output_tokens: 0,
  model_known_tokens: 0,
  premium_tokens: 0,
  burst_events: 0,
  resend_events: 0,
};

import type { Database } from '@toktra/db';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import { type FitRow, loadActiveFits } from './calibration.js';
import { daysBetween, loadProviderDays, type ProviderDay } from './daily.js';
import { DEFAULT_REL_SIGMA, defaultRatios, estimateFromBytes } from './fit.js';
import type { ShadowAiGapNotice } from './notices.js';

/** Two-sided 95% band. */
const Z = 1.96;
const MAX_DIMENSIONS = 20;

export interface Band {
  lower: number;
  upper: number;
}

export interface DimensionUsage {
  project_id: string | null;
  workspace_id: string | null;
  api_key_id: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
}

export interface ShadowAiDay {
  provider: string;
  date: string;
  reconciled_input_tokens: number | null;
  reconciled_output_tokens: number | null;
  observed_input_tokens: number;
  observed_output_tokens: number;
  gap_input_tokens: number | null;
  gap_output_tokens: number | null;
  gap_tokens: number | null;
  band: Band | null;
  /** The band lies wholly above zero: usage the agents cannot account for. */
  significant: boolean;
  calibrated: boolean;
  by_dimension: DimensionUsage[];
}

/**
 * Whether a provider's figures can be read as an answer: a connection that never synced or is
 * failing has no (current) provider data, so a gap of 0 there is not an all-clear.
 */
export type ShadowAiState = 'not_synced' | 'unhealthy' | 'no_data' | 'ok';

export interface ShadowAiTotal {
  provider: string;
  state: ShadowAiState;
  /** The provider's connections: newest successful sync and the latest error, if any. */
  last_synced_at: string | null;
  last_error: string | null;
  /** Days of the range with provider data. */
  days_with_data: number;
  reconciled_tokens: number;
  observed_tokens: number;
  gap_tokens: number;
  band: Band;
  significant: boolean;
}

const round = (n: number) => Math.round(n);

/** Calibrated observed tokens of a day per direction, with the half-width of its 95% band. */
function observedWithError(d: ProviderDay, provider: string, fit: FitRow | undefined) {
  const defaults = defaultRatios(provider);
  const up = fit?.up_ratio ?? defaults.up;
  const down = fit?.down_ratio ?? defaults.down;
  const estIn = estimateFromBytes(d.bytesUp, d.connections, up);
  const estOut = estimateFromBytes(d.bytesDown, d.connections, down);
  // Self-reported tokens are exact; only the byte-estimated part carries the estimator's error.
  const uIn = Z * (fit?.up_rel_sigma ?? DEFAULT_REL_SIGMA) * estIn;
  const uOut = Z * (fit?.down_rel_sigma ?? DEFAULT_REL_SIGMA) * estOut;
  return { input: estIn + d.reportedInput, output: estOut + d.reportedOutput, uIn, uOut };
}

/**
 * Shadow AI per provider per UTC day: provider-reported − agent-observed (calibrated), with a 95%
 * band from the calibration residuals (docs/shadow-ai.md), and the provider's own dimensions
 * (project, workspace, API key, model) for the days it reported.
 */
export async function computeShadowAi(
  db: Database,
  orgId: string,
  query: { startDate: string; endDate: string; provider?: string | undefined },
): Promise<{ data: ShadowAiDay[]; totals: ShadowAiTotal[] }> {
  const fits = await loadActiveFits(db, orgId);
  return db.withTenant(orgId, async (tx) => {
    const connections = await tx.db
      .selectFrom('provider_connections')
      .select(['provider', 'status', 'last_synced_at', 'last_error'])
      .where('org_id', '=', orgId)
      .$if(query.provider !== undefined, (qb) => qb.where('provider', '=', query.provider as never))
      .execute();
    const connected = [...new Set(connections.map((c) => c.provider as string))].map((provider) => ({
      provider,
    }));
    const data: ShadowAiDay[] = [];
    const totals: ShadowAiTotal[] = [];
    const from = `${query.startDate}T00:00:00Z`;
    const to = new Date(Date.parse(`${query.endDate}T00:00:00Z`) + 86_400_000).toISOString();
    for (const { provider } of connected.sort((a, b) => (a.provider < b.provider ? -1 : 1))) {
      const fit = fits.get(provider);
      const days = new Map(
        (
          await loadProviderDays(tx, orgId, provider, { startDay: query.startDate, endDay: query.endDate })
        ).map((d) => [d.day, d]),
      );
      const dims = await sql<DimensionUsage & { day: string }>`
        SELECT to_char(bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, project_id, workspace_id, api_key_id, model,
          sum(input_tokens)::int8 AS input_tokens, sum(output_tokens)::int8 AS output_tokens
        FROM reconciled_usage
        WHERE org_id = ${orgId} AND provider = ${provider}
          AND bucket_start >= ${from}::timestamptz AND bucket_start < ${to}::timestamptz
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, sum(input_tokens) + sum(output_tokens) DESC`.execute(tx.db);
      const total = { reconciled: 0, observed: 0, gap: 0, u: 0, days: 0 };
      for (const date of daysBetween(query.startDate, query.endDate)) {
        const d = days.get(date);
        if (!d) continue;
        const obs = observedWithError(d, provider, fit);
        const known = d.reconciledInput !== null;
        const gapIn = known ? (d.reconciledInput ?? 0) - obs.input : null;
        const gapOut = known ? (d.reconciledOutput ?? 0) - obs.output : null;
        const gap = gapIn === null || gapOut === null ? null : gapIn + gapOut;
        // Input and output errors are treated as independent within a day.
        const u = Math.hypot(obs.uIn, obs.uOut);
        const band = gap === null ? null : { lower: round(gap - u), upper: round(gap + u) };
        if (gap !== null) {
          total.reconciled += (d.reconciledInput ?? 0) + (d.reconciledOutput ?? 0);
          total.observed += obs.input + obs.output;
          total.gap += gap;
          // Across days the error is mostly the ratio's, i.e. correlated: half-widths add up.
          total.u += u;
          total.days++;
        }
        data.push({
          provider,
          date,
          reconciled_input_tokens: d.reconciledInput,
          reconciled_output_tokens: d.reconciledOutput,
          observed_input_tokens: round(obs.input),
          observed_output_tokens: round(obs.output),
          gap_input_tokens: gapIn === null ? null : round(gapIn),
          gap_output_tokens: gapOut === null ? null : round(gapOut),
          gap_tokens: gap === null ? null : round(gap),
          band,
          significant: band !== null && band.lower > 0,
          calibrated: fit !== undefined,
          by_dimension: dims.rows
            .filter((r) => r.day === date)
            .slice(0, MAX_DIMENSIONS)
            .map(({ day: _day, ...rest }) => ({
              ...rest,
              input_tokens: Number(rest.input_tokens),
              output_tokens: Number(rest.output_tokens),
            })),
        });
      }
      const band = { lower: round(total.gap - total.u), upper: round(total.gap + total.u) };
      const mine = connections.filter((c) => c.provider === provider);
      const synced = mine.map((c) => c.last_synced_at?.getTime() ?? 0).reduce((a, b) => Math.max(a, b), 0);
      const failing = mine.find((c) => c.status === 'unhealthy');
      totals.push({
        provider,
        state: synced === 0 ? 'not_synced' : failing ? 'unhealthy' : total.days === 0 ? 'no_data' : 'ok',
        last_synced_at: synced === 0 ? null : new Date(synced).toISOString(),
        last_error: failing?.last_error ?? null,
        days_with_data: total.days,
        reconciled_tokens: round(total.reconciled),
        observed_tokens: round(total.observed),
        gap_tokens: round(total.gap),
        band,
        significant: band.lower > 0,
      });
    }
    return { data, totals };
  });
}

/** Emits `shadow_ai.gap_detected` for every significant day in the range (after a sync, for policies). */
export async function emitShadowAiNotices(
  ctx: AppContext,
  orgId: string,
  provider: string,
  range: { startDate: string; endDate: string },
): Promise<ShadowAiGapNotice[]> {
  const { data } = await computeShadowAi(ctx.db, orgId, { ...range, provider });
  const notices = data
    .filter((d) => d.significant && d.band && d.gap_tokens !== null)
    .map((d) => ({
      type: 'shadow_ai.gap' as const,
      orgId,
      provider,
      date: d.date,
      gap_tokens: d.gap_tokens ?? 0,
      band: d.band ?? { lower: 0, upper: 0 },
      share:
        (d.gap_tokens ?? 0) /
        Math.max(1, (d.reconciled_input_tokens ?? 0) + (d.reconciled_output_tokens ?? 0)),
    }));
  if (notices.length === 0) return notices;
  await ctx.db.withTenant(orgId, async (tx) => {
    for (const n of notices)
      await emitEvent(ctx, tx, orgId, 'shadow_ai.gap_detected', {
        provider: n.provider,
        day: n.date,
        gapTokens: n.gap_tokens,
        band: n.band,
        share: n.share,
        at: new Date().toISOString(),
      });
  });
  return notices;
}

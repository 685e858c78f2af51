import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { BACKFILL_DAYS } from './poll.js';

type Reconciled = { reconciled_input_tokens: number | null; reconciled_output_tokens: number | null };

export interface ReconciledQuery {
  start: string;
  end: string;
  filters: {
    userId?: string | undefined;
    departmentId?: string | undefined;
    provider?: string | undefined;
    model?: string | undefined;
  };
  groupBy: string | null;
}

const UNKNOWN: Reconciled = { reconciled_input_tokens: null, reconciled_output_tokens: null };
const DAY = 86_400_000;

/**
 * Reconciled token counts for `GET /v1/usage` (the usage feature's join point): provider-reported
 * buckets summed per calendar day in the org's time zone, per provider and per model. A figure is
 * null ("unknown") when no synced connection covers it: user and department filters (providers do
 * not know our people), providers without a connection, days before a connection's backfill.
 * Grouping by user or department is likewise unknown per row.
 */
export async function loadReconciledUsage(
  tx: Tx,
  orgId: string,
  query: ReconciledQuery,
): Promise<{
  totals: Reconciled;
  forRow: (row: Record<string, unknown>) => Reconciled;
  /** Models the providers reported in range (when per-model figures are known). */
  models: string[];
}> {
  const none = { totals: UNKNOWN, forRow: () => UNKNOWN, models: [] };
  if (query.filters.userId || query.filters.departmentId) return none;
  const connections = await tx.db
    .selectFrom('provider_connections')
    .select(['provider', 'backfilled_at'])
    .where('org_id', '=', orgId)
    .where('backfilled_at', 'is not', null)
    .$if(query.filters.provider !== undefined, (q) =>
      q.where('provider', '=', query.filters.provider as never),
    )
    .execute();
  if (connections.length === 0) return none;
  // Each provider is known from the first day its backfill reached (poll.ts reads whole UTC days).
  const coveredFrom = new Map<string, string>();
  for (const c of connections) {
    const back = c.backfilled_at as Date;
    const from = new Date(Math.floor((back.getTime() - BACKFILL_DAYS * DAY) / DAY) * DAY + DAY)
      .toISOString()
      .slice(0, 10);
    const seen = coveredFrom.get(c.provider);
    if (!seen || from < seen) coveredFrom.set(c.provider, from);
  }
  const rows = await sql<{
    day: string;
    provider: string;
    model: string | null;
    input: number;
    output: number;
  }>`
    SELECT to_char(r.bucket_start AT TIME ZONE o.time_zone, 'YYYY-MM-DD') AS day, r.provider, r.model,
      sum(r.input_tokens)::int8 AS input, sum(r.output_tokens)::int8 AS output
    FROM reconciled_usage r JOIN orgs o ON o.id = r.org_id
    WHERE r.org_id = ${orgId}
      AND r.bucket_start >= (${query.start}::date - 1)::timestamptz
      AND r.bucket_start < (${query.end}::date + 2)::timestamptz
      ${query.filters.provider !== undefined ? sql`AND r.provider = ${query.filters.provider}` : sql``}
      ${query.filters.model !== undefined ? sql`AND r.model = ${query.filters.model}` : sql``}
    GROUP BY 1, 2, 3`.execute(tx.db);
  const inRange = rows.rows.filter(
    (r) => r.day >= query.start && r.day <= query.end && coveredFrom.has(r.provider),
  );
  const sum = (pick: (r: (typeof inRange)[number]) => boolean): Reconciled => {
    let input = 0;
    let output = 0;
    for (const r of inRange) {
      if (!pick(r)) continue;
      input += Number(r.input);
      output += Number(r.output);
    }
    return { reconciled_input_tokens: input, reconciled_output_tokens: output };
  };
  // Totals are known only when every requested day is covered by every connected provider.
  const latestStart = [...coveredFrom.values()].sort().at(-1) ?? query.start;
  const totals = latestStart <= query.start ? sum(() => true) : UNKNOWN;
  const forRow = (row: Record<string, unknown>): Reconciled => {
    switch (query.groupBy) {
      case 'day': {
        const day = String(row.date);
        const known = [...coveredFrom.values()].every((from) => from <= day);
        return known ? sum((r) => r.day === day) : UNKNOWN;
      }
      case 'provider': {
        const from = coveredFrom.get(String(row.provider));
        return from !== undefined && from <= query.start ? sum((r) => r.provider === row.provider) : UNKNOWN;
      }
      case 'model':
        return totals === UNKNOWN ? UNKNOWN : sum((r) => r.model === (row.model ?? null));
      default:
        return UNKNOWN;
    }
  };
  const models =
    totals === UNKNOWN
      ? []
      : [...new Set(inRange.map((r) => r.model).filter((m): m is string => m !== null))].sort();
  return { totals, forRow, models };
}

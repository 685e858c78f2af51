import type { Tx } from '@toktra/db';
import { sql } from 'kysely';

/**
 * One provider's UTC day (or hour), seen from both sides: what agents observed on managed devices (bytes
 * and connections of API-product flows estimated from bytes, plus tokens sources reported
 * themselves) and what the provider reported. Reconciliation sources report API usage only, so
 * chat apps and coding assistants are left out (see RatioOverrides in @toktra/core).
 */
export interface ProviderDay {
  day: string;
  connections: number;
  bytesUp: number;
  bytesDown: number;
  reportedInput: number;
  reportedOutput: number;
  reconciledInput: number | null;
  reconciledOutput: number | null;
}

export async function loadProviderDays(
  tx: Tx,
  orgId: string,
  provider: string,
  range: { startDay: string; endDay: string },
  grain: 'day' | 'hour' = 'day',
): Promise<ProviderDay[]> {
  // Hour windows are keyed `YYYY-MM-DDTHH` (UTC); day windows `YYYY-MM-DD`.
  const format = grain === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM-DD"T"HH24';
  const from = `${range.startDay}T00:00:00Z`;
  const to = new Date(Date.parse(`${range.endDay}T00:00:00Z`) + 86_400_000).toISOString();
  const observed = await sql<{
    day: string;
    connections: number;
    bytes_up: number;
    bytes_down: number;
    reported_input: number;
    reported_output: number;
  }>`
    SELECT to_char(occurred_at AT TIME ZONE 'UTC', ${format}) AS day,
      count(*) FILTER (WHERE token_method <> 'reported')::int8 AS connections,
      coalesce(sum(bytes_up) FILTER (WHERE token_method <> 'reported'), 0)::int8 AS bytes_up,
      coalesce(sum(bytes_down) FILTER (WHERE token_method <> 'reported'), 0)::int8 AS bytes_down,
      coalesce(sum(est_input_tokens) FILTER (WHERE token_method = 'reported'), 0)::int8 AS reported_input,
      coalesce(sum(est_output_tokens) FILTER (WHERE token_method = 'reported'), 0)::int8 AS reported_output
    FROM events
    WHERE org_id = ${orgId} AND provider = ${provider} AND product = 'api'
      AND occurred_at >= ${from}::timestamptz AND occurred_at < ${to}::timestamptz
    GROUP BY 1`.execute(tx.db);
  const reconciled = await sql<{ day: string; input: number; output: number }>`
    SELECT to_char(bucket_start AT TIME ZONE 'UTC', ${format}) AS day,
      sum(input_tokens)::int8 AS input, sum(output_tokens)::int8 AS output
    FROM reconciled_usage
    WHERE org_id = ${orgId} AND provider = ${provider}
      AND bucket_start >= ${from}::timestamptz AND bucket_start < ${to}::timestamptz
    GROUP BY 1`.execute(tx.db);
  const days = new Map<string, ProviderDay>();
  const dayOf = (day: string) => {
    let d = days.get(day);
    if (!d) {
      d = {
        day,
        connections: 0,
        bytesUp: 0,
        bytesDown: 0,
        reportedInput: 0,
        reportedOutput: 0,
        reconciledInput: null,
        reconciledOutput: null,
      };
      days.set(day, d);
    }
    return d;
  };
  for (const r of observed.rows) {
    Object.assign(dayOf(r.day), {
      connections: Number(r.connections),
      bytesUp: Number(r.bytes_up),
      bytesDown: Number(r.bytes_down),
      reportedInput: Number(r.reported_input),
      reportedOutput: Number(r.reported_output),
    });
  }
  for (const r of reconciled.rows) {
    Object.assign(dayOf(r.day), { reconciledInput: Number(r.input), reconciledOutput: Number(r.output) });
  }
  return [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

/** Every UTC day from start to end inclusive, as `YYYY-MM-DD`. */
export function daysBetween(startDay: string, endDay: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${startDay}T00:00:00Z`); t <= Date.parse(`${endDay}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

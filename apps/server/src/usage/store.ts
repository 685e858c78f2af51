import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import type { UsageTotals } from './bus.js';
import { createDayResolver, hourBucket } from './time-zone.js';

/** One enriched, classified, estimated event, ready to store. Column names as in `events`. */
export interface EventRow {
  id: string;
  occurred_at: Date;
  ended_at: Date | null;
  device_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
  department_id: string | null;
  manager_id: string | null;
  os_user: string | null;
  source: string;
  host: string | null;
  provider: string;
  product: string;
  category: string;
  model: string | null;
  transport: 'tcp' | 'quic' | null;
  bytes_up: number;
  bytes_down: number;
  duration_ms: number | null;
  est_input_tokens: number;
  est_output_tokens: number;
  token_method: string;
}

export interface RollupSums extends UsageTotals {
  duration_ms: number;
  reported_input_tokens: number;
  reported_output_tokens: number;
}

interface RollupRow extends RollupSums {
  bucket: string;
  user_id: string | null;
  department_id: string | null;
  provider: string;
  model: string | null;
  category: string;
  source: string;
}

// Rows travel as one JSON parameter and are unpacked by jsonb_to_recordset: one statement and one
// parameter for any batch size (no 65,535-parameter limit), the same on PGlite and Postgres.
const EVENT_COLUMNS = sql.raw(
  `id uuid, occurred_at timestamptz, ended_at timestamptz, device_id uuid, api_key_id uuid,
   user_id uuid, department_id uuid, manager_id uuid, os_user text, source text, host text,
   provider text, product text, category text, model text, transport text, bytes_up bigint,
   bytes_down bigint, duration_ms bigint, est_input_tokens bigint, est_output_tokens bigint,
   token_method text`,
);
const EVENT_NAMES = sql.raw(
  `id, occurred_at, ended_at, device_id, api_key_id, user_id, department_id, manager_id, os_user,
   source, host, provider, product, category, model, transport, bytes_up, bytes_down, duration_ms,
   est_input_tokens, est_output_tokens, token_method`,
);

/**
 * Inserts the events, skipping ids the org already has. Returns the ids that were new. Rows are
 * sorted by id so concurrent batches that share ids wait on each other in the same order.
 */
export async function insertEvents(tx: Tx, orgId: string, rows: EventRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result = await sql<{ id: string }>`
    INSERT INTO events (org_id, ${EVENT_NAMES})
    SELECT ${orgId}::uuid, ${EVENT_NAMES} FROM jsonb_to_recordset(${JSON.stringify(sorted)}::jsonb) AS x(${EVENT_COLUMNS})
    ON CONFLICT (org_id, id) DO NOTHING
    RETURNING id`.execute(tx.db);
  return new Set(result.rows.map((r) => r.id));
}

function emptySums(): RollupSums {
  return {
    events: 0,
    bytes_up: 0,
    bytes_down: 0,
    duration_ms: 0,
    est_input_tokens: 0,
    est_output_tokens: 0,
    reported_input_tokens: 0,
    reported_output_tokens: 0,
  };
}

export function addEventTo(sums: RollupSums, e: EventRow): void {
  sums.events += 1;
  sums.bytes_up += e.bytes_up;
  sums.bytes_down += e.bytes_down;
  sums.duration_ms += e.duration_ms ?? 0;
  sums.est_input_tokens += e.est_input_tokens;
  sums.est_output_tokens += e.est_output_tokens;
  if (e.token_method === 'reported') {
    sums.reported_input_tokens += e.est_input_tokens;
    sums.reported_output_tokens += e.est_output_tokens;
  }
}

/** Sums new events per rollup key in memory, so each key is upserted once per batch. */
export function aggregateRollups(
  rows: readonly EventRow[],
  timeZone: string,
): { hourly: RollupRow[]; daily: RollupRow[] } {
  const dayOf = createDayResolver(timeZone);
  const hourly = new Map<string, RollupRow>();
  const daily = new Map<string, RollupRow>();
  const add = (into: Map<string, RollupRow>, bucket: string, e: EventRow) => {
    const key = [bucket, e.user_id, e.department_id, e.provider, e.model, e.category, e.source].join('|');
    let row = into.get(key);
    if (!row) {
      row = {
        bucket,
        user_id: e.user_id,
        department_id: e.department_id,
        provider: e.provider,
        model: e.model,
        category: e.category,
        source: e.source,
        ...emptySums(),
      };
      into.set(key, row);
    }
    addEventTo(row, e);
  };
  for (const e of rows) {
    add(hourly, hourBucket(e.occurred_at).toISOString(), e);
    add(daily, dayOf(e.occurred_at), e);
  }
  // A stable order per key: concurrent batches lock shared rollup rows in the same order.
  const ordered = (m: Map<string, RollupRow>) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  return { hourly: ordered(hourly), daily: ordered(daily) };
}

const SUM_COLUMNS = [
  'events',
  'bytes_up',
  'bytes_down',
  'duration_ms',
  'est_input_tokens',
  'est_output_tokens',
  'reported_input_tokens',
  'reported_output_tokens',
] as const;

/**
 * The daily rows summed to the dashboard's coarser read models: per org (no people) and per
 * person. Keys sorted like the daily rows, for the same lock order.
 */
function coarserRollups(daily: readonly RollupRow[]) {
  const org = new Map<string, Record<string, unknown> & RollupSums>();
  const people = new Map<string, Record<string, unknown> & RollupSums>();
  const add = (into: typeof org, key: string, keyColumns: Record<string, unknown>, r: RollupRow) => {
    let row = into.get(key);
    if (!row) {
      row = { ...keyColumns, ...emptySums() };
      into.set(key, row);
    }
    for (const c of SUM_COLUMNS) row[c] += r[c];
  };
  for (const r of daily) {
    const { bucket, provider, model, category, source, user_id, department_id } = r;
    add(
      org,
      [bucket, provider, model, category, source].join('|'),
      { bucket, provider, model, category, source },
      r,
    );
    add(people, [bucket, user_id, department_id].join('|'), { bucket, user_id, department_id }, r);
  }
  const ordered = (m: typeof org) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  return { org: ordered(org), people: ordered(people) };
}

/**
 * Adds the batch's sums to the hourly and daily rollups and the daily read models
 * (`x = x + excluded.x`), all in one statement (the others ride in data-modifying CTEs): one
 * round trip per batch.
 */
export async function upsertRollups(
  tx: Tx,
  orgId: string,
  rollups: { hourly: RollupRow[]; daily: RollupRow[] },
): Promise<void> {
  if (rollups.hourly.length === 0 && rollups.daily.length === 0) return;
  const upsert = (table: string, bucketType: string, keys: string, rows: object[]) => {
    const sums = sql.raw(SUM_COLUMNS.join(', '));
    const updates = sql.raw(SUM_COLUMNS.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', '));
    const types = sql.raw(SUM_COLUMNS.map((c) => `${c} bigint`).join(', '));
    const keyNames = sql.raw(keys.replace(/ [a-z]+(,|$)/g, '$1'));
    return sql`INSERT INTO ${sql.table(table)} (org_id, bucket, ${keyNames}, ${sums})
      SELECT ${orgId}::uuid, bucket, ${keyNames}, ${sums}
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(bucket ${sql.raw(bucketType)}, ${sql.raw(keys)}, ${types})
      ON CONFLICT (org_id, bucket, ${keyNames})
      DO UPDATE SET ${updates}, updated_at = now()`;
  };
  const full = 'user_id uuid, department_id uuid, provider text, model text, category text, source text';
  const coarse = coarserRollups(rollups.daily);
  await sql`WITH hourly AS (${upsert('usage_hourly', 'timestamptz', full, rollups.hourly)} RETURNING 1),
      org AS (${upsert('usage_daily_org', 'date', 'provider text, model text, category text, source text', coarse.org)} RETURNING 1),
      people AS (${upsert('usage_daily_people', 'date', 'user_id uuid, department_id uuid', coarse.people)} RETURNING 1)
    ${upsert('usage_daily', 'date', full, rollups.daily)}`.execute(tx.db);
}

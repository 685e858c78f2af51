import type { Tx } from '@toktra/db';
import { aggregateRollups, type EventRow, upsertRollups } from '../usage/store.js';

type Rollups = ReturnType<typeof aggregateRollups>;

const SUMS = [
  'events',
  'bytes_up',
  'bytes_down',
  'duration_ms',
  'est_input_tokens',
  'est_output_tokens',
  'reported_input_tokens',
  'reported_output_tokens',
] as const;

function negate(rollups: Rollups): Rollups {
  const flip = (rows: Rollups['hourly']) =>
    rows.map((row) => {
      const out = { ...row };
      for (const k of SUMS) out[k] = -row[k];
      return out;
    });
  return { hourly: flip(rollups.hourly), daily: flip(rollups.daily) };
}

/**
 * Names the model of agent events that an extension request revealed after they were stored
 * (the agent cannot see it). The event's usage moves from the rollup row without a model to the
 * one with it: totals are unchanged, and only events whose model is still unknown are touched.
 */
export async function moveEventsToModel(
  tx: Tx,
  orgId: string,
  timeZone: string,
  modelFor: ReadonlyMap<string, string>,
): Promise<void> {
  if (modelFor.size === 0) return;
  const rows = await tx.db
    .selectFrom('events')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', 'in', [...modelFor.keys()])
    .where('model', 'is', null)
    .execute();
  if (rows.length === 0) return;
  const before: EventRow[] = rows.map((r) => ({
    ...r,
    bytes_up: Number(r.bytes_up),
    bytes_down: Number(r.bytes_down),
    duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
    est_input_tokens: Number(r.est_input_tokens),
    est_output_tokens: Number(r.est_output_tokens),
  }));
  const after = before.map((r) => ({ ...r, model: modelFor.get(r.id) ?? null }));
  for (const r of after) {
    await tx.db
      .updateTable('events')
      .set({ model: r.model })
      .where('org_id', '=', orgId)
      .where('id', '=', r.id)
      .where('model', 'is', null)
      .execute();
  }
  const minus = negate(aggregateRollups(before, timeZone));
  const plus = aggregateRollups(after, timeZone);
  // The two sets never share a key (model null vs named), so one upsert statement is safe.
  await upsertRollups(tx, orgId, {
    hourly: [...minus.hourly, ...plus.hourly],
    daily: [...minus.daily, ...plus.daily],
  });
}

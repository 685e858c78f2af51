import {
  addMeasures,
  agentIncrement,
  DEDUPE_WINDOW_MS,
  type Measures,
  withinConnection,
  ZERO_MEASURES,
} from '@toktra/core';
import type { Tx } from '@toktra/db';
import type { EventRow } from '../usage/store.js';
import { lockUsersForDedupe } from './connection-match.js';

/**
 * The agent half of the dedupe rule (docs/extension.md), run by the usage pipeline on a device
 * batch before it inserts: an agent event whose connection holds extension requests counted
 * earlier adds only `max(agent, Σ extension) − Σ extension`, takes the model they named, and the
 * requests are linked to it. Mutates `rows` in place.
 */
export async function absorbExtensionRequests(tx: Tx, orgId: string, rows: EventRow[]): Promise<void> {
  const candidates = rows.filter(
    (r) => r.user_id !== null && r.host !== null && (r.source === 'agent' || r.source === 'proxy'),
  );
  if (candidates.length === 0) return;
  const userIds = [...new Set(candidates.map((r) => r.user_id as string))];
  await lockUsersForDedupe(tx, orgId, userIds);
  const startOf = (r: EventRow) => r.occurred_at.getTime();
  const endOf = (r: EventRow) =>
    r.ended_at?.getTime() ?? (r.duration_ms !== null ? startOf(r) + r.duration_ms : null);
  const from = Math.min(...candidates.map(startOf)) - DEDUPE_WINDOW_MS;
  const to = Math.max(...candidates.map((r) => endOf(r) ?? startOf(r))) + DEDUPE_WINDOW_MS;
  const pending = await tx.db
    .selectFrom('extension_requests')
    .select([
      'id',
      'user_id',
      'host',
      'started_at',
      'model',
      'counted_bytes_up',
      'counted_bytes_down',
      'counted_input_tokens',
      'counted_output_tokens',
    ])
    .where('org_id', '=', orgId)
    .where('agent_event_id', 'is', null)
    .where('user_id', 'in', userIds)
    .where('host', 'in', [...new Set(candidates.map((r) => r.host as string))])
    .where('started_at', '>=', new Date(from))
    .where('started_at', '<=', new Date(to))
    .orderBy('started_at')
    .execute();
  if (pending.length === 0) return;
  // A resent batch: its events are stored already and were linked the first time.
  const stored = await tx.db
    .selectFrom('events')
    .select('id')
    .where('org_id', '=', orgId)
    .where(
      'id',
      'in',
      candidates.map((r) => r.id),
    )
    .execute();
  const skip = new Set(stored.map((s) => s.id));
  const claimed = new Set<string>();
  for (const row of [...candidates].sort((a, b) => startOf(a) - startOf(b))) {
    if (skip.has(row.id)) continue;
    const connection = { start: startOf(row), end: endOf(row) };
    const mine = pending.filter(
      (p) =>
        !claimed.has(p.id) &&
        p.user_id === row.user_id &&
        p.host === row.host &&
        withinConnection(connection, p.started_at.getTime()),
    );
    if (mine.length === 0) continue;
    let counted: Measures = { ...ZERO_MEASURES };
    for (const p of mine) {
      claimed.add(p.id);
      counted = addMeasures(counted, {
        bytesUp: Number(p.counted_bytes_up),
        bytesDown: Number(p.counted_bytes_down),
        inputTokens: Number(p.counted_input_tokens),
        outputTokens: Number(p.counted_output_tokens),
      });
    }
    const add = agentIncrement(
      {
        bytesUp: row.bytes_up,
        bytesDown: row.bytes_down,
        inputTokens: row.est_input_tokens,
        outputTokens: row.est_output_tokens,
      },
      counted,
    );
    row.bytes_up = add.bytesUp;
    row.bytes_down = add.bytesDown;
    row.est_input_tokens = add.inputTokens;
    row.est_output_tokens = add.outputTokens;
    row.model ??= mine.find((p) => p.model !== null)?.model ?? null;
    await tx.db
      .updateTable('extension_requests')
      .set({ agent_event_id: row.id })
      .where('org_id', '=', orgId)
      .where(
        'id',
        'in',
        mine.map((p) => p.id),
      )
      .execute();
  }
}

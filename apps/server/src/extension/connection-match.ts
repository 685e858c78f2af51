import { DEDUPE_WINDOW_MS, type Measures, withinConnection } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';

/** Agent connections can stay open this long; older ones are not searched for a match. */
export const MAX_CONNECTION_MS = 60 * 60_000;

/**
 * Serialises the extension and agent paths per user: both read "what the other already counted"
 * and then write, so two concurrent batches must not miss each other (docs/extension.md).
 */
export async function lockUsersForDedupe(tx: Tx, orgId: string, userIds: readonly string[]): Promise<void> {
  const keys = [...new Set(userIds)].sort().map((u) => `extension-dedupe:${orgId}:${u}`);
  if (keys.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${keys}::text[]) AS k`.execute(
    tx.db,
  );
}

export interface AgentConnection {
  id: string;
  host: string;
  start: number;
  end: number | null;
  model: string | null;
  counted: Measures;
}

/** The agent/proxy events of one user to these hosts that could contain requests in [from, to]. */
export async function findAgentConnections(
  tx: Tx,
  orgId: string,
  userId: string,
  hosts: readonly string[],
  from: number,
  to: number,
): Promise<AgentConnection[]> {
  if (hosts.length === 0) return [];
  const rows = await tx.db
    .selectFrom('events')
    .select([
      'id',
      'host',
      'occurred_at',
      'ended_at',
      'duration_ms',
      'model',
      'bytes_up',
      'bytes_down',
      'est_input_tokens',
      'est_output_tokens',
    ])
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('source', 'in', ['agent', 'proxy'])
    .where('host', 'in', [...hosts])
    .where('occurred_at', '>=', new Date(from - MAX_CONNECTION_MS))
    .where('occurred_at', '<=', new Date(to + DEDUPE_WINDOW_MS))
    .orderBy('occurred_at')
    .execute();
  return rows.map((r) => {
    const start = r.occurred_at.getTime();
    const end = r.ended_at?.getTime() ?? (r.duration_ms !== null ? start + Number(r.duration_ms) : null);
    return {
      id: r.id,
      host: r.host ?? '',
      start,
      end,
      model: r.model,
      counted: {
        bytesUp: Number(r.bytes_up),
        bytesDown: Number(r.bytes_down),
        inputTokens: Number(r.est_input_tokens),
        outputTokens: Number(r.est_output_tokens),
      },
    };
  });
}

/** The connection a request belongs to: the latest one on its host that started before it and is in window. */
export function connectionFor(
  connections: readonly AgentConnection[],
  host: string,
  startedAt: number,
): AgentConnection | undefined {
  let best: AgentConnection | undefined;
  for (const c of connections) {
    if (c.host !== host || !withinConnection(c, startedAt)) continue;
    if (!best || (c.start <= startedAt + DEDUPE_WINDOW_MS && c.start > best.start)) best = c;
  }
  return best;
}

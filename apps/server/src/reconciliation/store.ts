import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import type { ReconciledBucket, UsageWindow } from './types.js';

const COLUMNS = sql.raw(
  `bucket_start timestamptz, bucket_width text, model text, project_id text, workspace_id text,
   api_key_id text, input_tokens bigint, cached_input_tokens bigint, cache_write_tokens bigint,
   output_tokens bigint, requests bigint`,
);
const KEY = ['bucket_start', 'bucket_width', 'model', 'project_id', 'workspace_id', 'api_key_id'] as const;
const VALUES = [
  'input_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'output_tokens',
  'requests',
] as const;

/** Sums buckets that share a key (a provider may split one key across rows). */
export function mergeBuckets(buckets: readonly ReconciledBucket[]): ReconciledBucket[] {
  const byKey = new Map<string, ReconciledBucket>();
  for (const b of buckets) {
    const key = [
      b.bucketStart.toISOString(),
      b.bucketWidth,
      b.model,
      b.projectId,
      b.workspaceId,
      b.apiKeyId,
    ].join('|');
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...b });
      continue;
    }
    seen.inputTokens += b.inputTokens;
    seen.cachedInputTokens += b.cachedInputTokens;
    seen.cacheWriteTokens += b.cacheWriteTokens;
    seen.outputTokens += b.outputTokens;
    seen.requests =
      seen.requests === null && b.requests === null ? null : (seen.requests ?? 0) + (b.requests ?? 0);
  }
  return [...byKey.values()];
}

export interface WindowWrite {
  upserted: number;
  deleted: number;
}

/**
 * Makes the stored rows of `connectionId` inside `window` equal to `buckets`: new keys are
 * inserted, changed values overwritten (never added to), unchanged rows left untouched, and keys
 * the provider no longer reports deleted. Re-reading a window therefore changes nothing.
 */
export async function replaceWindow(
  tx: Tx,
  orgId: string,
  connection: { id: string; provider: string },
  window: UsageWindow,
  buckets: readonly ReconciledBucket[],
): Promise<WindowWrite> {
  const rows = mergeBuckets(buckets)
    .filter((b) => b.bucketStart >= window.start && b.bucketStart < window.end)
    .map((b) => ({
      bucket_start: b.bucketStart.toISOString(),
      bucket_width: b.bucketWidth,
      model: b.model,
      project_id: b.projectId,
      workspace_id: b.workspaceId,
      api_key_id: b.apiKeyId,
      input_tokens: b.inputTokens,
      cached_input_tokens: b.cachedInputTokens,
      cache_write_tokens: b.cacheWriteTokens,
      output_tokens: b.outputTokens,
      requests: b.requests,
    }));
  const json = JSON.stringify(rows);
  const keyMatch = sql.raw(KEY.map((k) => `x.${k} IS NOT DISTINCT FROM r.${k}`).join(' AND '));
  const deleted = await sql`
    DELETE FROM reconciled_usage r
    WHERE r.org_id = ${orgId} AND r.connection_id = ${connection.id}
      AND r.bucket_start >= ${window.start.toISOString()}::timestamptz AND r.bucket_start < ${window.end.toISOString()}::timestamptz
      AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset(${json}::jsonb) AS x(${COLUMNS}) WHERE ${keyMatch})`.execute(
    tx.db,
  );
  if (rows.length === 0) return { upserted: 0, deleted: Number(deleted.numAffectedRows ?? 0) };
  const names = sql.raw([...KEY, ...VALUES].join(', '));
  const updates = sql.raw(VALUES.map((c) => `${c} = excluded.${c}`).join(', '));
  const changed = sql.raw(
    `(${VALUES.map((c) => `reconciled_usage.${c}`).join(', ')}) IS DISTINCT FROM (${VALUES.map((c) => `excluded.${c}`).join(', ')})`,
  );
  const upserted = await sql`
    INSERT INTO reconciled_usage (org_id, connection_id, provider, ${names})
    SELECT ${orgId}::uuid, ${connection.id}::uuid, ${connection.provider}, ${names}
    FROM jsonb_to_recordset(${json}::jsonb) AS x(${COLUMNS})
    ON CONFLICT (org_id, connection_id, bucket_start, bucket_width, model, project_id, workspace_id, api_key_id)
    DO UPDATE SET ${updates}, updated_at = now() WHERE ${changed}`.execute(tx.db);
  return { upserted: Number(upserted.numAffectedRows ?? 0), deleted: Number(deleted.numAffectedRows ?? 0) };
}

import { newEventId } from '@toktra/core';
import type { AppContext } from '../../apps/server/src/context.js';

/**
 * The ceiling: the rows the pipeline just stored, read back and inserted again (fresh ids) with
 * plain multi-row INSERTs of the same batch size, one transaction per batch, with as many
 * concurrent writers as there were agents. No TLS, HTTP, JSON, validation, enrichment or rollups.
 */
export async function rawInsertRate(
  ctx: AppContext,
  orgId: string,
  writers: readonly unknown[],
  events: number,
  batch: number,
): Promise<number> {
  const rows = await ctx.db.system(({ db }) =>
    db
      .selectFrom('events')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('received_at', 'desc')
      .limit(events)
      .execute(),
  );
  const copies = rows.map((r) => ({ ...r, id: newEventId(), received_at: new Date() }));
  const batches: (typeof copies)[] = [];
  for (let i = 0; i < copies.length; i += batch) batches.push(copies.slice(i, i + batch));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    writers.map(async () => {
      for (;;) {
        const chunk = batches[next++];
        if (!chunk) return;
        await ctx.db.system(({ db }) => db.insertInto('events').values(chunk).execute());
      }
    }),
  );
  return copies.length / ((performance.now() - started) / 1000);
}

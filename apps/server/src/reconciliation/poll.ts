import type { AppContext } from '../context.js';
import { counter } from '../metrics.js';
import { clientFor, findConnection } from './connections.js';
import { ProviderError, type RetryPolicy } from './http.js';
import { replaceWindow, type WindowWrite } from './store.js';
import type { UsageWindow } from './types.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** A new connection reads this far back (the product promises at least 30 days). */
export const BACKFILL_DAYS = 31;
/** Later polls re-read this much, so late-arriving usage is picked up and overwritten. */
export const TRAILING_DAYS = 3;
const MAX_BACKOFF_MS = 6 * HOUR;

/**
 * The window to read: from the start of the UTC day `BACKFILL_DAYS` ago on the first sync, else
 * the trailing `TRAILING_DAYS`; up to the end of the current hour (a partial bucket, overwritten
 * by the next poll). Aligned to hours so buckets compare across polls.
 */
export function pollWindow(now: Date, backfilled: boolean): UsageWindow {
  const end = Math.ceil((now.getTime() + 1) / HOUR) * HOUR;
  const start = backfilled
    ? Math.floor((end - TRAILING_DAYS * DAY) / HOUR) * HOUR
    : Math.floor((end - BACKFILL_DAYS * DAY) / DAY) * DAY;
  return { start: new Date(start), end: new Date(end) };
}

export interface PollResult extends WindowWrite {
  window: UsageWindow;
  buckets: number;
}

/**
 * Reads one connection's window from its provider and writes it (replace-window semantics, one
 * transaction). Success marks the connection healthy; failure marks it unhealthy with the
 * provider's own words and backs off its next recurring poll. Auth errors are final (retrying
 * a wrong key does not help); other failures are rethrown so the job runner retries.
 */
export async function pollConnection(
  ctx: AppContext,
  orgId: string,
  connectionId: string,
  options: { now?: Date; retry?: RetryPolicy } = {},
): Promise<PollResult | { error: string }> {
  const now = options.now ?? new Date();
  const row = await ctx.db.withTenant(orgId, (tx) => findConnection(tx, orgId, connectionId));
  const window = pollWindow(now, row.backfilled_at !== null);
  const polls = counter(ctx.metrics, {
    name: 'toktra_reconciliation_polls_total',
    help: 'Provider usage polls, by provider and outcome',
    labelNames: ['provider', 'outcome'],
  });
  try {
    const buckets = await clientFor(ctx, row, { retry: options.retry, now: () => now }).fetchUsage(window);
    const write = await ctx.db.withTenant(orgId, async (tx) => {
      const result = await replaceWindow(tx, orgId, row, window, buckets);
      await tx.db
        .updateTable('provider_connections')
        .set({
          status: 'healthy',
          last_error: null,
          last_synced_at: now,
          backfilled_at: row.backfilled_at ?? now,
          consecutive_failures: 0,
          next_poll_at: null,
          updated_at: now,
        })
        .where('org_id', '=', orgId)
        .where('id', '=', connectionId)
        .execute();
      return result;
    });
    polls.inc({ provider: row.provider, outcome: 'ok' });
    return { ...write, window, buckets: buckets.length };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failures = row.consecutive_failures + 1;
    await ctx.db.withTenant(orgId, (tx) =>
      tx.db
        .updateTable('provider_connections')
        .set({
          status: 'unhealthy',
          last_error: message.slice(0, 1000),
          consecutive_failures: failures,
          next_poll_at: new Date(now.getTime() + Math.min(MAX_BACKOFF_MS, 5 * 60_000 * 2 ** (failures - 1))),
          updated_at: now,
        })
        .where('org_id', '=', orgId)
        .where('id', '=', connectionId)
        .execute(),
    );
    polls.inc({ provider: row.provider, outcome: 'error' });
    ctx.logger.warn({ orgId, connectionId, provider: row.provider, err: message }, 'provider poll failed');
    if (error instanceof ProviderError && error.kind === 'auth') return { error: message };
    throw error;
  }
}

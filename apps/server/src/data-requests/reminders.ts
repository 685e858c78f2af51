import { rm } from 'node:fs/promises';
import type { Severity } from '@toktra/db';
import { sql } from 'kysely';
import { z } from 'zod';
import { createAlert } from '../alerts/service.js';
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';

const DAY_MS = 86_400_000;

/** Reminders before the deadline, most urgent last; `overdue` once it has passed. */
export const REMINDERS: { key: string; beforeMs: number; severity: Severity }[] = [
  { key: '7d', beforeMs: 7 * DAY_MS, severity: 'medium' },
  { key: '2d', beforeMs: 2 * DAY_MS, severity: 'high' },
  { key: 'overdue', beforeMs: 0, severity: 'critical' },
];

/** The reminder due now for a request, if any not yet sent (a late run sends only the latest). */
export function dueReminder(dueAt: Date, sent: readonly string[], now: Date) {
  const reached = REMINDERS.filter((r) => now.getTime() >= dueAt.getTime() - r.beforeMs);
  const latest = reached.at(-1);
  if (!latest || sent.includes(latest.key)) return undefined;
  return { reminder: latest, markSent: reached.map((r) => r.key) };
}

function title(kind: string, regime: string, key: string, dueAt: Date): string {
  const what = `${regime.toUpperCase()} ${kind} request`;
  const day = dueAt.toISOString().slice(0, 10);
  return key === 'overdue'
    ? `${what} is overdue (was due ${day})`
    : `${what} due in ${key.replace('d', ' days')} (${day})`;
}

/**
 * Sweeps one store: raises the reminder alerts of open requests (7 and 2 days before the due
 * date, then an overdue alert) and deletes access exports past their expiry. Alerts name the
 * request, never the person, so they need no erasure later.
 */
export async function sweepDataRequests(
  ctx: AppContext,
  now: Date,
): Promise<{ alerts: number; purged: number }> {
  const open = await ctx.db.system(({ db }) =>
    db
      .selectFrom('data_requests')
      .select(['org_id', 'id', 'kind', 'regime', 'due_at', 'reminders_sent'])
      .where('status', '=', 'open')
      .where('due_at', '<=', new Date(now.getTime() + (REMINDERS[0]?.beforeMs ?? 0)))
      .execute(),
  );
  let alerts = 0;
  for (const r of open) {
    const due = dueReminder(r.due_at, r.reminders_sent, now);
    if (!due) continue;
    await ctx.db.withTenant(r.org_id, async (tx) => {
      await createAlert(ctx, tx, r.org_id, {
        severity: due.reminder.severity,
        title: title(r.kind, r.regime, due.reminder.key, r.due_at),
        body: 'Open Data requests in the dashboard to fulfil it.',
        source: 'data_request',
        sourceId: r.id,
        details: { request_id: r.id, due_at: r.due_at.toISOString(), reminder: due.reminder.key },
      });
      await tx.db
        .updateTable('data_requests')
        .set({ reminders_sent: due.markSent })
        .where('org_id', '=', r.org_id)
        .where('id', '=', r.id)
        .execute();
    });
    alerts += 1;
  }
  const expired = await ctx.db.system(({ db }) =>
    db
      .selectFrom('data_requests')
      .select(['org_id', 'id', 'export_paths'])
      .where('export_expires_at', '<', now)
      .where(sql<number>`cardinality(export_paths)`, '>', 0)
      .execute(),
  );
  for (const r of expired) {
    for (const file of r.export_paths) await rm(file, { force: true });
    await ctx.db.withTenant(r.org_id, (tx) =>
      tx.db
        .updateTable('data_requests')
        .set({ export_paths: [] })
        .where('org_id', '=', r.org_id)
        .where('id', '=', r.id)
        .execute(),
    );
  }
  return { alerts, purged: expired.length };
}

/** Hourly: DSAR reminders, overdue alerts and expiry of access exports. */
export const dataRequestSweepJob = defineJob({
  name: 'data-requests.sweep',
  payload: z.object({}).passthrough(),
  async run(ctx) {
    await sweepDataRequests(ctx, new Date());
  },
});

import { AppError } from '@toktra/core';
import type { Database, RegionStore } from '@toktra/db';
import { sql } from 'kysely';
import { type Actor, appendAudit } from '../audit/service.js';
import { invalidateOrgIngestConfig } from '../usage/org-cache.js';
import { dayInZone } from '../usage/time-zone.js';

/** An org's usage retention when nobody set one (the `orgs.retention_days` column default). */
export const DEFAULT_RETENTION_DAYS = 395;
export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 3650;
/** Token Perks personal usage lives 90 days, whatever the org sets (the ledger enforces it). */
export const PERSONAL_TTL_DAYS = 90;
/** Rows per delete statement: each batch is its own short transaction, so no lock is held long. */
export const RETENTION_BATCH = 5000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface RetentionView {
  usage_days: number;
  personal_ttl_days: number;
}

export async function getRetention(db: Database, orgId: string): Promise<RetentionView> {
  const org = await db.withTenant(orgId, (tx) =>
    tx.db.selectFrom('orgs').select('retention_days').where('id', '=', orgId).executeTakeFirst(),
  );
  if (!org) throw new AppError('not_found', 'organization not found');
  return { usage_days: org.retention_days, personal_ttl_days: PERSONAL_TTL_DAYS };
}

export async function setRetention(
  db: Database,
  orgId: string,
  actor: Actor,
  days: number,
): Promise<RetentionView> {
  await db.withTenant(orgId, async (tx) => {
    const before = await tx.db
      .selectFrom('orgs')
      .select('retention_days')
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    await tx.db.updateTable('orgs').set({ retention_days: days }).where('id', '=', orgId).execute();
    await appendAudit(tx, orgId, actor, {
      action: 'settings.retention.update',
      targetType: 'org',
      targetId: orgId,
      details: { from: before.retention_days, to: days },
    });
    // Ingest refuses events older than the retention: it must see the new value at once.
    tx.onCommit(() => invalidateOrgIngestConfig(db, orgId));
  });
  return getRetention(db, orgId);
}

/** What is expired at `now` for an org keeping `days` days: events before the cutoff, and rollup
 * buckets that lie wholly before it (an hour or org-local day that straddles it stays whole). */
export function retentionCutoffs(now: Date, days: number, timeZone: string) {
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  return {
    cutoff,
    /** usage_hourly rows with `bucket <= lastHour` end at or before the cutoff. */
    lastHour: new Date(cutoff.getTime() - HOUR_MS),
    /** usage_daily rows with `bucket < firstKeptDay` (the org-local day of the cutoff). */
    firstKeptDay: dayInZone(cutoff, timeZone),
  };
}

export interface RetentionResult {
  orgs: number;
  events: number;
  usage_hourly: number;
  usage_daily: number;
  usage_daily_org: number;
  usage_daily_people: number;
  extension_requests: number;
}

/**
 * Deletes every org's expired usage in one store, in batches of `batch` rows, each in its own
 * transaction (so ingest never waits behind a long delete). Exactly the rows `retentionCutoffs`
 * names. On a partitioned PostgreSQL (docs/data-model.md §3) the expired months would be dropped
 * instead; the embedded default keeps plain tables.
 */
export async function enforceRetention(
  store: RegionStore | Database,
  now: Date,
  batch = RETENTION_BATCH,
): Promise<RetentionResult> {
  const orgs = await store.system(({ db }) =>
    db.selectFrom('orgs').select(['id', 'retention_days', 'time_zone']).execute(),
  );
  const result: RetentionResult = {
    orgs: orgs.length,
    events: 0,
    usage_hourly: 0,
    usage_daily: 0,
    usage_daily_org: 0,
    usage_daily_people: 0,
    extension_requests: 0,
  };
  for (const org of orgs) {
    const { cutoff, lastHour, firstKeptDay } = retentionCutoffs(now, org.retention_days, org.time_zone);
    const expired = {
      events: sql`occurred_at < ${cutoff}`,
      usage_hourly: sql`bucket <= ${lastHour}`,
      usage_daily: sql`bucket < ${firstKeptDay}::date`,
      usage_daily_org: sql`bucket < ${firstKeptDay}::date`,
      usage_daily_people: sql`bucket < ${firstKeptDay}::date`,
      // The browser extension's request log is usage data too (its totals live on in events).
      extension_requests: sql`started_at < ${cutoff}`,
    };
    for (const [table, condition] of Object.entries(expired) as [
      keyof typeof expired,
      typeof expired.events,
    ][]) {
      for (;;) {
        const deleted = await store.forOrg(org.id, async ({ db }) => {
          await sql`SELECT set_config('app.org_id', ${org.id}, true)`.execute(db);
          const r = await sql`DELETE FROM ${sql.table(table)} WHERE ctid IN (
            SELECT ctid FROM ${sql.table(table)} WHERE org_id = ${org.id}::uuid AND ${condition} LIMIT ${batch})`.execute(
            db,
          );
          return Number(r.numAffectedRows ?? 0);
        });
        result[table] += deleted;
        if (deleted < batch) break;
      }
    }
  }
  return result;
}

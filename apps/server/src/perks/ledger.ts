import { AppError } from '@toktra/core';
import { collectFromStores } from '@toktra/db';
import type { SealedEntry } from '@toktra/perks';
import type { AppContext } from '../context.js';
import { writableEnrollments } from './device-keys.js';
import { requireEnrollment } from './lookup.js';
import { recordTimes } from './time.js';

/**
 * The personal ledger's write path: the device's sealed entries go straight into
 * `perk_ledger_entries` — not through the corporate ingest (no validation into `events`, no
 * rollups, no usage bus, no policies). The device id authorises the write and is then dropped.
 */
export async function appendPersonalEntries(
  ctx: AppContext,
  orgId: string,
  deviceId: string,
  entries: readonly SealedEntry[],
  now = new Date(),
): Promise<{ accepted: number; duplicates: number }> {
  if (entries.length === 0) return { accepted: 0, duplicates: 0 };
  return ctx.db.withTenant(orgId, async (tx) => {
    const writable = await writableEnrollments(tx, orgId, deviceId);
    const unknown = [...new Set(entries.map((e) => e.enrollment_id))].filter((id) => !writable.has(id));
    if (unknown.length > 0) {
      // Opted out meanwhile, another org's, or someone this device's events are never attributed to.
      throw new AppError('not_found', 'no such Token Perks enrollment for this device', {
        enrollment_ids: unknown,
      });
    }
    const times = recordTimes(now);
    const inserted = await tx.db
      .insertInto('perk_ledger_entries')
      .values(
        entries.map((e) => ({
          org_id: orgId,
          enrollment_id: e.enrollment_id,
          client_id: e.client_id,
          enc: e.enc,
          ciphertext: e.ciphertext,
          ...times,
        })),
      )
      .onConflict((oc) => oc.columns(['org_id', 'enrollment_id', 'client_id']).doNothing())
      .returning('id')
      .execute();
    return { accepted: inserted.length, duplicates: entries.length - inserted.length };
  });
}

export interface LedgerEntryView extends SealedEntry {
  id: string;
  created_at: string;
  expires_at: string;
}

/** The caller's own sealed entries, unexpired, for their browser to open. Paged by id. */
export async function listMyEntries(
  ctx: AppContext,
  orgId: string,
  userId: string,
  page: { limit: number; after?: string },
  now = new Date(),
): Promise<{ data: LedgerEntryView[]; next_cursor: string | null }> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const enrollment = await requireEnrollment(tx, orgId, userId);
    let query = tx.db
      .selectFrom('perk_ledger_entries')
      .select(['id', 'enrollment_id', 'client_id', 'enc', 'ciphertext', 'created_at', 'expires_at'])
      .where('org_id', '=', orgId)
      .where('enrollment_id', '=', enrollment.id)
      .where('expires_at', '>', now)
      .orderBy('id')
      .limit(page.limit + 1);
    if (page.after) query = query.where('id', '>', page.after);
    const rows = await query.execute();
    const more = rows.length > page.limit;
    const data = rows.slice(0, page.limit).map((r) => ({
      ...r,
      created_at: r.created_at.toISOString(),
      expires_at: r.expires_at.toISOString(),
    }));
    return { data, next_cursor: more ? (data.at(-1)?.id ?? null) : null };
  });
}

/**
 * Deletes personal records whose 90 days are up. Reads already hide them (`expires_at > now`), so
 * this only has to catch up; it runs per org in that org's tenant transaction.
 */
export async function purgeExpiredPerks(
  ctx: AppContext,
  now = new Date(),
): Promise<{ entries: number; redemptions: number }> {
  // Every region's store (data residency); each org's rows are then deleted in its own tenant tx.
  const orgs = await collectFromStores(ctx.db, ({ db }) =>
    db.selectFrom('perk_enrollments').select('org_id').distinct().execute(),
  );
  let entries = 0;
  let redemptions = 0;
  for (const { org_id: orgId } of orgs) {
    await ctx.db.withTenant(orgId, async (tx) => {
      const e = await tx.db
        .deleteFrom('perk_ledger_entries')
        .where('org_id', '=', orgId)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      const r = await tx.db
        .deleteFrom('perk_redemptions')
        .where('org_id', '=', orgId)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      entries += Number(e.numDeletedRows);
      redemptions += Number(r.numDeletedRows);
    });
  }
  return { entries, redemptions };
}

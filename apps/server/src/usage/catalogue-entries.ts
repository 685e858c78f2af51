import { AppError, type CatalogueEntry, normalizeHost, validateCatalogueEntry } from '@toktra/core';
import type { Database } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import { invalidateOrgIngestConfig } from './org-cache.js';

/**
 * Adds (or restates) one of the org's own catalogue entries. They are consulted before the
 * built-in catalogue on every later ingest, so an admin can add an internal LLM gateway or
 * re-label a vendor host. Past events keep the classification they were stored with.
 */
export async function addCatalogueEntry(
  db: Database,
  orgId: string,
  actor: Actor,
  entry: CatalogueEntry,
): Promise<{ id: string }> {
  const reason = validateCatalogueEntry(entry);
  if (reason !== null) throw new AppError('validation_failed', `invalid catalogue entry: ${reason}`);
  const host = normalizeHost(entry.host);
  return db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .insertInto('org_catalogue_entries')
      .values({ org_id: orgId, ...entry, host })
      .onConflict((oc) =>
        oc
          .columns(['org_id', 'host', 'match'])
          .doUpdateSet({ provider: entry.provider, product: entry.product, category: entry.category }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'catalogue_entry.set',
      targetType: 'catalogue_entry',
      targetId: row.id,
      details: { ...entry, host },
    });
    tx.onCommit(() => invalidateOrgIngestConfig(db, orgId));
    return row;
  });
}

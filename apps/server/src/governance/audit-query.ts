import type { Database } from '@toktra/db';
import { type NamedAuditEntry, nameAuditEntries } from './audit-names.js';

export interface AuditFilter {
  action?: string;
  actor_type?: string;
  actor_id?: string;
  target_type?: string;
  target_id?: string;
  from?: Date;
  to?: Date;
}

export interface AuditEntryView {
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/**
 * One page of the org's audit log, newest first, keyed by `seq` (`beforeSeq` = the last seq of
 * the previous page). `action` matches exactly or, ending in `.*`, as a prefix (`policy.*`).
 */
export async function listAuditEntries(
  db: Database,
  orgId: string,
  filter: AuditFilter,
  page: { limit: number; beforeSeq?: number; order?: 'asc' | 'desc'; afterSeq?: number },
): Promise<NamedAuditEntry[]> {
  return db.withTenant(orgId, async (tx) => {
    const trx = tx.db;
    let query = trx.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
    if (filter.action?.endsWith('.*')) {
      const prefix = filter.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
      query = query.where('action', 'like', `${prefix}%`);
    } else if (filter.action) {
      query = query.where('action', '=', filter.action);
    }
    if (filter.actor_type) query = query.where('actor_type', '=', filter.actor_type as never);
    if (filter.actor_id) query = query.where('actor_id', '=', filter.actor_id);
    if (filter.target_type) query = query.where('target_type', '=', filter.target_type);
    if (filter.target_id) query = query.where('target_id', '=', filter.target_id);
    if (filter.from) query = query.where('at', '>=', filter.from);
    if (filter.to) query = query.where('at', '<', filter.to);
    if (page.beforeSeq !== undefined) query = query.where('seq', '<', page.beforeSeq);
    if (page.afterSeq !== undefined) query = query.where('seq', '>', page.afterSeq);
    const rows = await query
      .orderBy('seq', page.order ?? 'desc')
      .limit(page.limit)
      .execute();
    const entries: AuditEntryView[] = rows.map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      actor_type: r.actor_type,
      actor_id: r.actor_id,
      action: r.action,
      target_type: r.target_type,
      target_id: r.target_id,
      details: r.details,
      prev_hash: r.prev_hash,
      hash: r.hash,
    }));
    return nameAuditEntries(tx, orgId, entries);
  });
}

/** Every matching entry, oldest first, fetched a page at a time (for streamed exports). */
export async function* iterateAuditEntries(
  db: Database,
  orgId: string,
  filter: AuditFilter,
): AsyncGenerator<NamedAuditEntry> {
  let afterSeq = 0;
  for (;;) {
    const page = await listAuditEntries(db, orgId, filter, { limit: 1000, afterSeq, order: 'asc' });
    yield* page;
    const last = page[page.length - 1];
    if (!last || page.length < 1000) return;
    afterSeq = last.seq;
  }
}

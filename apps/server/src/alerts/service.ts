import { AppError } from '@toktra/core';
import type { Database, Severity, Tx } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import type { AlertCreatedNotice } from '../governance/bus.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export interface AlertView extends Omit<AlertCreatedNotice['alert'], 'created_at'> {
  status: 'open' | 'acknowledged';
  details: Record<string, unknown>;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  created_at: string;
}

export interface NewAlert {
  severity: Severity;
  title: string;
  body?: string;
  /** What raised it (`policy`, `budget`, `webhook`, …) and that thing's id. */
  source: string;
  sourceId?: string | null;
  userId?: string | null;
  departmentId?: string | null;
  details?: Record<string, unknown>;
}

const columns = [
  'id',
  'severity',
  'status',
  'title',
  'body',
  'source',
  'source_id',
  'user_id',
  'department_id',
  'details',
  'acknowledged_by',
  'acknowledged_at',
  'created_at',
] as const;

type AlertRow = Omit<AlertView, 'created_at' | 'acknowledged_at'> & {
  created_at: Date;
  acknowledged_at: Date | null;
};

function toView(row: AlertRow): AlertView {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    acknowledged_at: row.acknowledged_at?.toISOString() ?? null,
  };
}

/**
 * Stores an alert and its `alert.created` event inside the caller's transaction; the event's
 * handlers (events/registry.ts) post it to Slack channels and subscribed webhooks.
 */
export async function createAlert(
  ctx: AppContext,
  tx: Tx,
  orgId: string,
  input: NewAlert,
): Promise<AlertView> {
  const row = await tx.db
    .insertInto('alerts')
    .values({
      org_id: orgId,
      severity: input.severity,
      title: input.title,
      body: input.body ?? '',
      source: input.source,
      source_id: input.sourceId ?? null,
      user_id: input.userId ?? null,
      department_id: input.departmentId ?? null,
      details: JSON.stringify(input.details ?? {}),
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  const alert = toView(row as AlertRow);
  await emitEvent(ctx, tx, orgId, 'alert.created', alert);
  return alert;
}

export interface AlertFilter {
  status?: 'open' | 'acknowledged';
  severity?: Severity;
  source?: string;
  limit: number;
  /** Keyset: (created_at, id) of the last row of the previous page. */
  after?: { at: Date; id: string };
}

export async function listAlerts(db: Database, orgId: string, filter: AlertFilter): Promise<AlertView[]> {
  return db.withTenant(orgId, async ({ db: trx }) => {
    let query = trx.selectFrom('alerts').select(columns).where('org_id', '=', orgId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.severity) query = query.where('severity', '=', filter.severity);
    if (filter.source) query = query.where('source', '=', filter.source);
    const after = filter.after;
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.at),
          eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => toView(r as AlertRow));
  });
}

export async function getAlert(db: Database, orgId: string, id: string): Promise<AlertView> {
  return db.withTenant(orgId, async ({ db: trx }) => {
    const row = await trx
      .selectFrom('alerts')
      .select(columns)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `alert ${id} not found`);
    return toView(row as AlertRow);
  });
}

/** Acknowledging twice is harmless: the first acknowledgement (who, when) is kept. */
export async function acknowledgeAlert(
  db: Database,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<AlertView> {
  return db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .updateTable('alerts')
      .set({
        status: 'acknowledged',
        acknowledged_by: `${actor.type}:${actor.id ?? ''}`,
        acknowledged_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('status', '=', 'open')
      .returning(columns)
      .executeTakeFirst();
    if (!row) return getAlertIn(tx, orgId, id);
    await appendAudit(tx, orgId, actor, { action: 'alert.acknowledge', targetType: 'alert', targetId: id });
    return toView(row as AlertRow);
  });
}

async function getAlertIn(tx: Tx, orgId: string, id: string): Promise<AlertView> {
  const row = await tx.db
    .selectFrom('alerts')
    .select(columns)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `alert ${id} not found`);
  return toView(row as AlertRow);
}

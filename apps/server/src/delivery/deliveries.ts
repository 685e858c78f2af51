import { AppError } from '@toktra/core';
import type { Database, DeliveryAttempt } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import { enqueueJob } from '../jobs/enqueue.js';
import { deliverWebhookJob } from './webhook-job.js';

export interface DeliveryView {
  id: string;
  endpoint_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  payload: Record<string, unknown>;
  log: DeliveryAttempt[];
}

const columns = [
  'id',
  'endpoint_id',
  'event_type',
  'status',
  'attempts',
  'next_attempt_at',
  'last_status_code',
  'last_error',
  'created_at',
  'delivered_at',
  'payload',
  'log',
] as const;

function toView(
  row: Omit<DeliveryView, 'created_at' | 'delivered_at' | 'next_attempt_at'> & {
    created_at: Date;
    delivered_at: Date | null;
    next_attempt_at: Date | null;
  },
): DeliveryView {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    delivered_at: row.delivered_at?.toISOString() ?? null,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
  };
}

/** The delivery log of one endpoint, newest first (a foreign or unknown endpoint is a 404). */
export async function listDeliveries(
  db: Database,
  orgId: string,
  endpointId: string,
  options: { status?: 'pending' | 'delivered' | 'dead'; limit: number; before?: string },
): Promise<{ data: DeliveryView[]; next_cursor: string | null }> {
  return db.withTenant(orgId, async ({ db: trx }) => {
    const endpoint = await trx
      .selectFrom('webhook_endpoints')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', endpointId)
      .executeTakeFirst();
    if (!endpoint) throw new AppError('not_found', `webhook endpoint ${endpointId} not found`);
    let query = trx
      .selectFrom('webhook_deliveries')
      .select(columns)
      .where('org_id', '=', orgId)
      .where('endpoint_id', '=', endpointId);
    if (options.status) query = query.where('status', '=', options.status);
    if (options.before) {
      const [at, id] = options.before.split('|');
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', new Date(at ?? '')),
          eb.and([eb('created_at', '=', new Date(at ?? '')), eb('id', '<', id ?? '')]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute();
    const data = rows.slice(0, options.limit).map(toView);
    const last = rows[options.limit - 1];
    return {
      data,
      next_cursor:
        rows.length > options.limit && last
          ? Buffer.from(`${last.created_at.toISOString()}|${last.id}`).toString('base64url')
          : null,
    };
  });
}

export function decodeDeliveryCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [at, id] = text.split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError('validation_failed', 'cursor is not valid (pass next_cursor from the previous page)');
  }
  return text;
}

/**
 * Manual replay: the same message (same `webhook-id`, so receivers can dedupe) goes out again
 * with a fresh attempt budget. Allowed for dead and delivered deliveries, not pending ones.
 */
export async function replayDelivery(
  db: Database,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<DeliveryView> {
  return db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .selectFrom('webhook_deliveries')
      .select(['status', 'attempts'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `webhook delivery ${id} not found`);
    if (row.status === 'pending') throw new AppError('conflict', 'this delivery is still being retried');
    const updated = await tx.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), delivered_at: null })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    // The per-attempt dedupe key must differ from the original run's first attempt.
    await enqueueJob(
      tx,
      deliverWebhookJob,
      { delivery_id: id },
      { orgId, dedupeKey: `webhook:${id}:replay:${Date.now()}` },
    );
    await appendAudit(tx, orgId, actor, {
      action: 'webhook_delivery.replay',
      targetType: 'webhook_delivery',
      targetId: id,
    });
    return toView(updated);
  });
}

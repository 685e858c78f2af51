import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '@toktra/core';
import type { Database, Tx } from '@toktra/db';
import { sql } from 'kysely';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { enqueueJob } from '../jobs/enqueue.js';
import { encryptSecret } from '../secrets/service.js';
import { assertDeliverableUrl } from './ssrf.js';
import { deliverWebhookJob } from './webhook-job.js';

export const WEBHOOK_EVENT_TYPES = [
  'alert.created',
  'incident.created',
  'incident.updated',
  'policy.fired',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
}

const endpointColumns = [
  'id',
  'url',
  'description',
  'event_types',
  'enabled',
  'disabled_reason',
  'created_at',
] as const;

function toView(row: {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date;
}): EndpointView {
  return { ...row, created_at: row.created_at.toISOString() };
}

export function secretContext(endpointId: string): string {
  return `webhook_endpoint:${endpointId}`;
}

/** Creates an endpoint with a fresh `whsec_` secret, returned once (stored encrypted). */
export async function createEndpoint(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  input: { url: string; description?: string; event_types?: string[] },
): Promise<EndpointView & { secret: string }> {
  await assertDeliverableUrl(input.url, ctx.config.allowPrivateUrls);
  const id = randomUUID();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  return ctx.db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .insertInto('webhook_endpoints')
      .values({
        id,
        org_id: orgId,
        url: input.url,
        description: input.description ?? '',
        event_types: input.event_types ?? [],
        secret: encryptSecret(ctx, secret, secretContext(id)),
      })
      .returning(endpointColumns)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'webhook_endpoint.create',
      targetType: 'webhook_endpoint',
      targetId: id,
      details: { url: input.url, event_types: input.event_types ?? [] },
    });
    return { ...toView(row), secret };
  });
}

export async function listEndpoints(db: Database, orgId: string): Promise<EndpointView[]> {
  return db.withTenant(orgId, async ({ db: trx }) =>
    (
      await trx
        .selectFrom('webhook_endpoints')
        .select(endpointColumns)
        .where('org_id', '=', orgId)
        .orderBy('created_at')
        .execute()
    ).map(toView),
  );
}

export async function getEndpoint(db: Database, orgId: string, id: string): Promise<EndpointView> {
  return db.withTenant(orgId, async ({ db: trx }) => {
    const row = await trx
      .selectFrom('webhook_endpoints')
      .select(endpointColumns)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `webhook endpoint ${id} not found`);
    return toView(row);
  });
}

export async function updateEndpoint(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
  patch: { url?: string; description?: string; event_types?: string[]; enabled?: boolean },
): Promise<EndpointView> {
  if (patch.url !== undefined) await assertDeliverableUrl(patch.url, ctx.config.allowPrivateUrls);
  return ctx.db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .updateTable('webhook_endpoints')
      .set({
        ...patch,
        ...(patch.enabled === true ? { disabled_reason: null } : {}),
        ...(patch.enabled === false ? { disabled_reason: 'disabled by an admin' } : {}),
        updated_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning(endpointColumns)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `webhook endpoint ${id} not found`);
    await appendAudit(tx, orgId, actor, {
      action: 'webhook_endpoint.update',
      targetType: 'webhook_endpoint',
      targetId: id,
      details: patch,
    });
    return toView(row);
  });
}

export async function deleteEndpoint(db: Database, orgId: string, actor: Actor, id: string): Promise<void> {
  await db.withTenant(orgId, async (tx) => {
    const gone = await tx.db
      .deleteFrom('webhook_endpoints')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!gone) throw new AppError('not_found', `webhook endpoint ${id} not found`);
    await appendAudit(tx, orgId, actor, {
      action: 'webhook_endpoint.delete',
      targetType: 'webhook_endpoint',
      targetId: id,
    });
  });
}

/**
 * Writes one delivery row per subscribed endpoint (or just `endpointId`) inside the caller's
 * transaction, and a job for each first attempt: the message exists iff the change commits.
 */
export async function enqueueWebhookEvent(
  tx: Tx,
  orgId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
  options: { endpointId?: string; eventKey?: string } = {},
): Promise<string[]> {
  let query = tx.db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('org_id', '=', orgId)
    .where('enabled', '=', true);
  query = options.endpointId
    ? query.where('id', '=', options.endpointId)
    : query.where((eb) =>
        eb.or([sql<boolean>`cardinality(event_types) = 0`, sql<boolean>`${type} = ANY(event_types)`]),
      );
  const endpoints = await query.execute();
  const ids: string[] = [];
  for (const endpoint of endpoints) {
    const id = randomUUID();
    const payload = { type, timestamp: new Date().toISOString(), data };
    const inserted = await tx.db
      .insertInto('webhook_deliveries')
      .values({
        id,
        org_id: orgId,
        endpoint_id: endpoint.id,
        event_type: type,
        payload: JSON.stringify(payload),
        next_attempt_at: new Date(),
        event_key: options.eventKey ?? null,
      })
      // The same event key to the same endpoint is one message (a redelivered event sends none).
      .onConflict((oc) =>
        oc.columns(['org_id', 'endpoint_id', 'event_key']).where('event_key', 'is not', null).doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue;
    await enqueueJob(tx, deliverWebhookJob, { delivery_id: id }, { orgId, dedupeKey: `webhook:${id}:0` });
    ids.push(id);
  }
  return ids;
}

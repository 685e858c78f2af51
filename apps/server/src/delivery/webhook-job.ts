import type { DeliveryAttempt } from '@toktra/db';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import { defineJob } from '../jobs/define-job.js';
import { enqueueJob } from '../jobs/enqueue.js';
import { decryptSecret } from '../secrets/service.js';
import { postJson } from './http-post.js';
import { MAX_DELIVERY_ATTEMPTS, nextAttemptAt } from './webhook-schedule.js';

/**
 * One delivery attempt. The job itself never fails: the delivery row carries its own retry
 * state (attempts, next_attempt_at, status) and schedules the next attempt as a new job at
 * `next_attempt_at`, so the Standard Webhooks schedule applies rather than the job queue's.
 */
export const deliverWebhookJob = defineJob({
  name: 'webhooks.deliver',
  payload: z.object({ delivery_id: z.uuid() }),
  async run(ctx, payload, job) {
    if (!job.orgId) throw new Error('webhooks.deliver needs an org');
    await attemptDelivery(ctx, job.orgId, payload.delivery_id);
  },
});

export async function attemptDelivery(ctx: AppContext, orgId: string, deliveryId: string): Promise<void> {
  const loaded = await ctx.db.withTenant(orgId, async ({ db }) =>
    db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', (j) =>
        j.onRef('e.id', '=', 'd.endpoint_id').onRef('e.org_id', '=', 'd.org_id'),
      )
      .select([
        'd.id',
        'd.payload',
        'd.status',
        'd.attempts',
        'e.id as endpoint_id',
        'e.url',
        'e.secret',
        'e.enabled',
      ])
      .where('d.org_id', '=', orgId)
      .where('d.id', '=', deliveryId)
      .executeTakeFirst(),
  );
  if (loaded?.status !== 'pending') return;
  const now = new Date();
  let result: Awaited<ReturnType<typeof postJson>>;
  if (!loaded.enabled) {
    result = {
      statusCode: null,
      body: '',
      retryAfterSeconds: null,
      error: 'endpoint is disabled',
      durationMs: 0,
    };
  } else {
    // Sign the exact bytes sent; the id stays the same across attempts (the receiver's dedupe key).
    const body = JSON.stringify(loaded.payload);
    const secret = decryptSecret(ctx, loaded.secret, `webhook_endpoint:${loaded.endpoint_id}`);
    const signature = new Webhook(secret).sign(loaded.id, now, body);
    result = await postJson(
      loaded.url,
      body,
      {
        'webhook-id': loaded.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      { allowPrivate: ctx.config.allowPrivateUrls },
    );
  }
  await recordAttempt(ctx, orgId, loaded, now, result);
}

async function recordAttempt(
  ctx: AppContext,
  orgId: string,
  delivery: { id: string; attempts: number; endpoint_id: string; url: string; enabled: boolean },
  now: Date,
  result: Awaited<ReturnType<typeof postJson>>,
): Promise<void> {
  const attempts = delivery.attempts + 1;
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const gone = result.statusCode === 410;
  const next =
    ok || gone || !delivery.enabled ? null : nextAttemptAt(attempts, now, result.retryAfterSeconds);
  const status = ok ? 'delivered' : next ? 'pending' : 'dead';
  const entry: DeliveryAttempt = {
    at: now.toISOString(),
    status_code: result.statusCode,
    error: result.error ?? (ok ? null : `HTTP ${result.statusCode}: ${result.body.slice(0, 200)}`),
    duration_ms: result.durationMs,
  };
  await ctx.db.withTenant(orgId, async (tx) => {
    const current = await tx.db
      .selectFrom('webhook_deliveries')
      .select('log')
      .where('org_id', '=', orgId)
      .where('id', '=', delivery.id)
      .executeTakeFirstOrThrow();
    await tx.db
      .updateTable('webhook_deliveries')
      .set({
        status,
        attempts,
        next_attempt_at: next,
        last_status_code: result.statusCode,
        last_error: entry.error,
        log: JSON.stringify([...current.log, entry].slice(-50)),
        ...(ok ? { delivered_at: now } : {}),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', delivery.id)
      .execute();
    if (next) {
      await enqueueJob(
        tx,
        deliverWebhookJob,
        { delivery_id: delivery.id },
        {
          orgId,
          runAt: next,
          dedupeKey: `webhook:${delivery.id}:${attempts}`,
        },
      );
    }
    if (gone) {
      // 410 Gone: the receiver says the endpoint is retired (Standard Webhooks): stop sending.
      await tx.db
        .updateTable('webhook_endpoints')
        .set({ enabled: false, disabled_reason: 'receiver answered 410 Gone', updated_at: now })
        .where('org_id', '=', orgId)
        .where('id', '=', delivery.endpoint_id)
        .execute();
    }
    if (status === 'dead') {
      // Alerts subscribe to this event (alerts/handlers.ts); delivery does not know about alerts.
      await emitEvent(ctx, tx, orgId, 'webhook.died', {
        deliveryId: delivery.id,
        url: delivery.url,
        attempts,
        maxAttempts: MAX_DELIVERY_ATTEMPTS,
        error: entry.error ?? 'unknown error',
      });
    }
  });
}

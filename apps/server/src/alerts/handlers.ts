import { defineHandler } from '../events/handlers.js';
import { createAlert } from './service.js';

/** A webhook delivery gave up: one alert per dead delivery (claimed with the alert's insert). */
export const alertOnWebhookDeath = defineHandler({
  name: 'alerts.webhook_died',
  kinds: ['webhook.died'],
  async run(ctx, event, claim) {
    const d = event.payload;
    await ctx.db.withTenant(event.orgId, async (tx) => {
      if (!(await claim(tx))) return;
      await createAlert(ctx, tx, event.orgId, {
        severity: 'medium',
        title: `Webhook delivery to ${d.url} failed`,
        body: `Gave up after ${d.attempts} of ${d.maxAttempts} attempts: ${d.error}. Replay it from the delivery log.`,
        source: 'webhook',
        sourceId: d.deliveryId,
      });
    });
  },
});

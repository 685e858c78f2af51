import { defineHandler } from '../events/handlers.js';
import { enqueueWebhookEvent } from './webhooks.js';

/**
 * `alert.created` to subscribed webhook endpoints, keyed by the alert so a redelivered event sends
 * nothing twice. Alerts about webhooks themselves are not sent (a dead endpoint would feed itself).
 */
export const webhooksOnAlert = defineHandler({
  name: 'webhooks.alert_created',
  kinds: ['alert.created'],
  async run(ctx, event, claim) {
    const alert = event.payload;
    if (alert.source === 'webhook') return;
    await ctx.db.withTenant(event.orgId, async (tx) => {
      if (!(await claim(tx))) return;
      await enqueueWebhookEvent(
        tx,
        event.orgId,
        'alert.created',
        { alert },
        { eventKey: `alert:${alert.id}` },
      );
    });
  },
});

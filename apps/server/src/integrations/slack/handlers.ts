import { defineHandler } from '../../events/handlers.js';
import { routeAlert } from './alert-channels.js';

/**
 * `alert.created` to every Slack channel whose severity filter matches. Each message has one
 * delivery row per (alert, channel) (openDelivery finds it on a rerun) and one job per row.
 */
export const slackOnAlert = defineHandler({
  name: 'slack.alert_created',
  kinds: ['alert.created'],
  async run(ctx, event) {
    await routeAlert(ctx, { orgId: event.orgId, alert: event.payload });
  },
});

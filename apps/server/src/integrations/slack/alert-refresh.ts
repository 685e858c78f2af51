import { isUuid } from '@toktra/core';
import { z } from 'zod';
import { getAlert } from '../../alerts/service.js';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import { hasActiveConnector } from '../itsm/service.js';
import { alertMessage, escapeMrkdwn } from './blocks.js';
import { slackClient } from './client.js';
import { liveInstallations } from './installations.js';

/** “Name” of whoever acknowledged (`user:<id>` → the user's name), for cards. */
export async function acknowledgerName(ctx: AppContext, orgId: string, acknowledgedBy: string | null) {
  const id = acknowledgedBy?.startsWith('user:') ? acknowledgedBy.slice(5) : '';
  if (!isUuid(id)) return acknowledgedBy ? 'an admin' : undefined;
  const row = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('users')
      .select(['name', 'email'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
  return row ? escapeMrkdwn(row.name || row.email) : 'an admin';
}

/**
 * After an acknowledgement, every channel card of the alert (one per matching channel) loses its
 * Acknowledge button and shows who acknowledged it — not only the card that was clicked.
 */
export const refreshAlertCardsJob = defineJob({
  name: 'slack.alert.refresh',
  payload: z.object({ alertId: z.uuid() }),
  maxAttempts: 4,
  async run(ctx, { alertId }, job) {
    const orgId = job.orgId;
    if (!orgId) return;
    const cards = await ctx.db.withTenant(orgId, ({ db }) =>
      db
        .selectFrom('slack_deliveries')
        .select(['installation_id', 'channel_id', 'message_ts'])
        .where('org_id', '=', orgId)
        .where('kind', '=', 'alert')
        .where('subject_id', '=', alertId)
        .where('status', '=', 'sent')
        .execute(),
    );
    if (cards.length === 0) return;
    const alert = await getAlert(ctx.db, orgId, alertId);
    const message = alertMessage(alert, {
      ticketButton: await hasActiveConnector(ctx, orgId),
      ...(alert.status === 'acknowledged'
        ? { acknowledgedBy: (await acknowledgerName(ctx, orgId, alert.acknowledged_by)) ?? 'an admin' }
        : {}),
    });
    const installs = await liveInstallations(ctx, orgId);
    for (const card of cards) {
      const inst = installs.find((i) => i.installationId === card.installation_id);
      if (!inst || !card.channel_id || !card.message_ts) continue;
      await slackClient(ctx, inst.botToken).chat.update({
        channel: card.channel_id,
        ts: card.message_ts,
        ...message,
      });
    }
  },
});

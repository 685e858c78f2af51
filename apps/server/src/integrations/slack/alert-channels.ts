import { AppError } from '@toktra/core';
import type { SlackSeverity } from '@toktra/db';
import { z } from 'zod';
import { getAlert } from '../../alerts/service.js';
import { type Actor, appendAudit } from '../../audit/service.js';
import type { AppContext } from '../../context.js';
import type { AlertCreatedNotice } from '../../governance/bus.js';
import { defineJob } from '../../jobs/define-job.js';
import { enqueueJob } from '../../jobs/enqueue.js';
import { hasActiveConnector } from '../itsm/service.js';
import { alertMessage } from './blocks.js';
import { slackClient, slackErrorCode } from './client.js';
import { openDelivery, recordAttempt } from './delivery-log.js';
import { liveInstallation, liveInstallations } from './installations.js';

export interface AlertChannelView {
  id: string;
  installation_id: string;
  channel_id: string;
  channel_name: string;
  severities: SlackSeverity[];
  created_at: string;
}

const COLUMNS = ['id', 'installation_id', 'channel_id', 'channel_name', 'severities', 'created_at'] as const;
const toView = (r: Omit<AlertChannelView, 'created_at'> & { created_at: Date }): AlertChannelView => ({
  ...r,
  created_at: r.created_at.toISOString(),
});

export async function listAlertChannels(ctx: AppContext, orgId: string): Promise<AlertChannelView[]> {
  const rows = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('slack_alert_channels')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .execute(),
  );
  return rows.map(toView);
}

export interface ChannelInput {
  installation_id: string;
  channel_id: string;
  channel_name?: string | undefined;
  severities: SlackSeverity[];
}

/** Adds (or re-filters) a channel of a live workspace; audited. */
export async function putAlertChannel(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  input: ChannelInput,
): Promise<AlertChannelView> {
  await liveInstallation(ctx, orgId, input.installation_id);
  const severities = [...new Set(input.severities)];
  return ctx.db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .insertInto('slack_alert_channels')
      .values({
        org_id: orgId,
        installation_id: input.installation_id,
        channel_id: input.channel_id,
        channel_name: input.channel_name ?? '',
        severities,
      })
      .onConflict((oc) =>
        oc.columns(['org_id', 'installation_id', 'channel_id']).doUpdateSet({
          severities,
          ...(input.channel_name ? { channel_name: input.channel_name } : {}),
          updated_at: new Date(),
        }),
      )
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'slack.alert_channel.put',
      targetType: 'slack_alert_channel',
      targetId: row.id,
      details: { channel_id: input.channel_id, severities },
    });
    return toView(row);
  });
}

export async function deleteAlertChannel(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .deleteFrom('slack_alert_channels')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `alert channel ${id} not found`);
    await appendAudit(tx, orgId, actor, {
      action: 'slack.alert_channel.delete',
      targetType: 'slack_alert_channel',
      targetId: id,
    });
  });
}

/** Channels the bot can post to (public, and private ones it was invited to), for the picker. */
export async function listSlackChannels(ctx: AppContext, orgId: string, installationId: string) {
  const inst = await liveInstallation(ctx, orgId, installationId);
  const client = slackClient(ctx, inst.botToken);
  const channels: Array<{ id: string; name: string; is_private: boolean }> = [];
  let cursor: string | undefined;
  try {
    for (let page = 0; page < 20; page++) {
      const res = await client.conversations.list({
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const c of res.channels ?? []) {
        if (c.id && c.name) channels.push({ id: c.id, name: c.name, is_private: !!c.is_private });
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
  } catch (error) {
    throw new AppError('upstream_failed', `Slack refused conversations.list: ${slackErrorCode(error)}`);
  }
  return channels;
}

const MAX_ATTEMPTS = 6;

/** Posts one alert to one channel; failures are logged and retried with backoff by the runner. */
export const deliverSlackAlertJob = defineJob({
  name: 'slack.alert.deliver',
  payload: z.object({ deliveryId: z.uuid() }),
  maxAttempts: MAX_ATTEMPTS,
  async run(ctx, { deliveryId }, job) {
    const orgId = job.orgId;
    if (!orgId) return;
    const delivery = await ctx.db.withTenant(orgId, ({ db }) =>
      db
        .selectFrom('slack_deliveries')
        .select(['installation_id', 'channel_id', 'subject_id', 'status'])
        .where('org_id', '=', orgId)
        .where('id', '=', deliveryId)
        .executeTakeFirst(),
    );
    if (!delivery || delivery.status === 'sent' || !delivery.subject_id || !delivery.channel_id) return;
    try {
      const inst = (await liveInstallations(ctx, orgId)).find(
        (i) => i.installationId === delivery.installation_id,
      );
      if (!inst) throw new Error('the Slack workspace was uninstalled');
      const alert = await getAlert(ctx.db, orgId, delivery.subject_id);
      const message = alertMessage(alert, { ticketButton: await hasActiveConnector(ctx, orgId) });
      const posted = await slackClient(ctx, inst.botToken).chat.postMessage({
        channel: delivery.channel_id,
        ...message,
      });
      await recordAttempt(ctx, orgId, deliveryId, { ok: true, ts: posted.ts });
    } catch (error) {
      await recordAttempt(ctx, orgId, deliveryId, {
        ok: false,
        error: slackErrorCode(error),
        final: job.attempt >= MAX_ATTEMPTS,
      });
      throw error;
    }
  },
});

/** After an alert commits: one logged delivery per channel whose severity filter matches. */
export async function routeAlert(ctx: AppContext, notice: AlertCreatedNotice): Promise<number> {
  const { orgId, alert } = notice;
  const channels = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('slack_alert_channels as c')
      .innerJoin('slack_installations as i', (j) =>
        j.onRef('i.org_id', '=', 'c.org_id').onRef('i.id', '=', 'c.installation_id'),
      )
      .select(['c.installation_id', 'c.channel_id', 'c.severities'])
      .where('c.org_id', '=', orgId)
      .where('i.uninstalled_at', 'is', null)
      .execute(),
  );
  const matching = channels.filter((c) => c.severities.includes(alert.severity));
  for (const c of matching) {
    const deliveryId = await openDelivery(ctx, orgId, {
      kind: 'alert',
      subjectId: alert.id,
      installationId: c.installation_id,
      channelId: c.channel_id,
    });
    await enqueueJob(
      ctx.db,
      deliverSlackAlertJob,
      { deliveryId },
      { orgId, dedupeKey: `slack-alert:${deliveryId}` },
    );
  }
  return matching.length;
}

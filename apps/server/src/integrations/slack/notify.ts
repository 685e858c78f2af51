import { isUuid } from '@toktra/core';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import { type ReimbursementCard, reimbursementMessage, reimbursementOutcomeMessage } from './blocks.js';
import { slackClient, slackErrorCode } from './client.js';
import { openDelivery, recordAttempt } from './delivery-log.js';
import { liveInstallations, type ResolvedInstallation } from './installations.js';
import { slackUserIdFor } from './users.js';

const MAX_ATTEMPTS = 6;

async function loadCard(ctx: AppContext, orgId: string, id: string) {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('reimbursement_requests as r')
      .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'r.org_id').onRef('u.id', '=', 'r.user_id'))
      .leftJoin('users as a', (j) => j.onRef('a.org_id', '=', 'r.org_id').onRef('a.id', '=', 'r.approver_id'))
      .select([
        'r.id',
        'r.amount',
        'r.currency',
        'r.period',
        'r.note',
        'r.status',
        'r.slack_channel',
        'r.slack_ts',
        'u.name as employee_name',
        'u.email as employee_email',
        'a.email as approver_email',
        'r.decided_by',
      ])
      .where('r.org_id', '=', orgId)
      .where('r.id', '=', id)
      .executeTakeFirst(),
  );
}

async function deciderName(ctx: AppContext, orgId: string, decidedBy: string | null) {
  if (!decidedBy || !isUuid(decidedBy)) return decidedBy ? 'an admin' : undefined;
  const row = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('users')
      .select('name')
      .where('org_id', '=', orgId)
      .where('id', '=', decidedBy)
      .executeTakeFirst(),
  );
  return row?.name;
}

/** Opens a DM with the person behind `email` in the first workspace that knows them. */
async function dm(ctx: AppContext, installs: ResolvedInstallation[], email: string) {
  for (const inst of installs) {
    const slackUser = await slackUserIdFor(ctx, inst, email);
    if (!slackUser) continue;
    const client = slackClient(ctx, inst.botToken);
    const opened = await client.conversations.open({ users: slackUser });
    const channel = opened.channel?.id;
    if (channel) return { inst, client, channel };
  }
  return undefined;
}

/**
 * Slack side of reimbursements: `submitted` DMs the approver a card with Approve / Reject;
 * `approved`/`rejected` DMs the employee and turns the approver's card into the outcome.
 * Runs as a job so Slack outages are retried; each message is logged in slack_deliveries.
 */
export const notifyReimbursementJob = defineJob({
  name: 'slack.reimbursement.notify',
  payload: z.object({ requestId: z.uuid(), event: z.enum(['submitted', 'approved', 'rejected']) }),
  maxAttempts: MAX_ATTEMPTS,
  async run(ctx, { requestId, event }, job) {
    const orgId = job.orgId;
    if (!orgId) return;
    const installs = await liveInstallations(ctx, orgId);
    const r = await loadCard(ctx, orgId, requestId);
    if (installs.length === 0 || !r) return;
    const card: ReimbursementCard = {
      id: r.id,
      employeeName: r.employee_name,
      employeeEmail: r.employee_email,
      amount: Number(r.amount),
      currency: r.currency,
      period: r.period,
      note: r.note,
      status: r.status,
      decidedBy: await deciderName(ctx, orgId, r.decided_by),
    };
    const recipient = event === 'submitted' ? r.approver_email : r.employee_email;
    if (!recipient) return;
    const deliveryId = await openDelivery(ctx, orgId, {
      kind: `reimbursement.${event}`,
      subjectId: requestId,
    });
    try {
      const target = await dm(ctx, installs, recipient);
      if (!target) {
        await recordAttempt(ctx, orgId, deliveryId, {
          ok: false,
          error: `no Slack user with email ${recipient}`,
          final: true,
        });
        return;
      }
      const message = event === 'submitted' ? reimbursementMessage(card) : reimbursementOutcomeMessage(card);
      const posted = await target.client.chat.postMessage({ channel: target.channel, ...message });
      if (event === 'submitted' && posted.ts) {
        await ctx.db.withTenant(orgId, ({ db }) =>
          db
            .updateTable('reimbursement_requests')
            .set({ slack_channel: target.channel, slack_ts: posted.ts ?? null })
            .where('org_id', '=', orgId)
            .where('id', '=', requestId)
            .execute(),
        );
      }
      if (event !== 'submitted' && r.slack_channel && r.slack_ts) {
        // The approver's card loses its buttons (decided from the dashboard or from Slack).
        await target.client.chat.update({
          channel: r.slack_channel,
          ts: r.slack_ts,
          ...reimbursementMessage(card),
        });
      }
      await recordAttempt(ctx, orgId, deliveryId, { ok: true, ts: posted.ts, channelId: target.channel });
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

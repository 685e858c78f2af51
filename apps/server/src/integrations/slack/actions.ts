import { AppError } from '@toktra/core';
import { acknowledgeAlert } from '../../alerts/service.js';
import { can } from '../../auth/permissions.js';
import type { AppContext } from '../../context.js';
import { enqueueJob } from '../../jobs/enqueue.js';
import { decideReimbursement } from '../../reimbursements/service.js';
import { createTicketForAlert, hasActiveConnector } from '../itsm/service.js';
import { acknowledgerName, refreshAlertCardsJob } from './alert-refresh.js';
import { alertBlocks, escapeMrkdwn, reimbursementMessage } from './blocks.js';
import { slackPrincipalOf } from './commands.js';
import type { ResolvedInstallation } from './installations.js';
import type { ToktraUser } from './users.js';

/** What a button handler sends back through `response_url`. */
export type ActionReply =
  | { replace_original: true; text: string; blocks: unknown[] }
  | { replace_original: false; response_type: 'ephemeral' | 'in_channel'; text: string };

const ephemeralReply = (text: string): ActionReply => ({
  replace_original: false,
  response_type: 'ephemeral',
  text,
});
const canManage = (u: ToktraUser) => u.role === 'owner' || u.role === 'admin';
const userActor = (u: ToktraUser) => ({ type: 'user' as const, id: u.id });

function explain(error: unknown): string {
  if (error instanceof AppError) return error.message;
  throw error;
}

/** Acknowledge: marks the alert and replaces the card with who acknowledged it. */
export async function acknowledgeAction(
  ctx: AppContext,
  inst: ResolvedInstallation,
  user: ToktraUser,
  slackUserId: string,
  alertId: string,
): Promise<ActionReply> {
  if (!canManage(user)) return ephemeralReply('Only Toktra admins can acknowledge alerts.');
  try {
    const alert = await acknowledgeAlert(ctx.db, inst.orgId, userActor(user), alertId);
    // Someone may have been first (another channel's card, the dashboard): show who that was.
    const mine = alert.acknowledged_by === `user:${user.id}`;
    const who = mine
      ? `<@${slackUserId}> (${escapeMrkdwn(user.name || user.email)})`
      : ((await acknowledgerName(ctx, inst.orgId, alert.acknowledged_by)) ?? 'an admin');
    await enqueueJob(ctx.db, refreshAlertCardsJob, { alertId }, { orgId: inst.orgId });
    return {
      replace_original: true,
      text: `Alert acknowledged by ${user.name || user.email}: ${alert.title}`,
      blocks: alertBlocks(alert, {
        ticketButton: await hasActiveConnector(ctx, inst.orgId),
        acknowledgedBy: who,
      }),
    };
  } catch (error) {
    return ephemeralReply(`Could not acknowledge: ${explain(error)}`);
  }
}

/** Create ticket: opens it in the active ITSM connector and answers with its URL. */
export async function ticketAction(
  ctx: AppContext,
  inst: ResolvedInstallation,
  user: ToktraUser,
  alertId: string,
): Promise<ActionReply> {
  if (!canManage(user)) return ephemeralReply('Only Toktra admins can open tickets.');
  try {
    const ticket = await createTicketForAlert(ctx, inst.orgId, userActor(user), alertId);
    const verb = ticket.created ? 'Ticket created' : 'A ticket already exists';
    return {
      replace_original: false,
      response_type: 'in_channel',
      text: `🎫 ${verb}: <${ticket.url}|${ticket.key}>`,
    };
  } catch (error) {
    return ephemeralReply(`Could not create a ticket: ${explain(error)}`);
  }
}

/** Approve / Reject from the approver's DM. */
export async function reimbursementAction(
  ctx: AppContext,
  inst: ResolvedInstallation,
  user: ToktraUser,
  requestId: string,
  decision: 'approved' | 'rejected',
): Promise<ActionReply> {
  try {
    const r = await decideReimbursement(
      ctx,
      inst.orgId,
      {
        actor: userActor(user),
        userId: user.id,
        admin: can(slackPrincipalOf(inst, user), 'settings:manage'),
      },
      requestId,
      decision,
    );
    const card = reimbursementMessage({
      id: r.id,
      employeeName: r.user_name,
      employeeEmail: r.user_email,
      amount: r.amount,
      currency: r.currency,
      period: r.period,
      note: r.note,
      status: r.status,
      decidedBy: user.name || user.email,
    });
    return { replace_original: true, ...card };
  } catch (error) {
    return ephemeralReply(`Could not record the decision: ${explain(error)}`);
  }
}

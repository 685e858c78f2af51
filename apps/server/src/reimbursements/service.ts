import { AppError } from '@toktra/core';
import type { ReimbursementStatus, Tx } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { enqueueEmail } from '../delivery/email.js';
import { notifyReimbursementJob } from '../integrations/slack/notify.js';
import { enqueueJob } from '../jobs/enqueue.js';

export interface ReimbursementView {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string;
  amount: number;
  currency: string;
  period: string;
  note: string;
  approver_id: string | null;
  status: ReimbursementStatus;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  exported_at: string | null;
  created_at: string;
}

/** Who is acting: a signed-in user (with role) or an API key acting as admin. */
export interface Decider {
  actor: Actor;
  userId: string | null;
  /** Whether the caller manages the org (`can(…, 'settings:manage')` of the authorization module). */
  admin: boolean;
}

function baseQuery(tx: Tx, orgId: string) {
  return tx.db
    .selectFrom('reimbursement_requests as r')
    .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'r.org_id').onRef('u.id', '=', 'r.user_id'))
    .select([
      'r.id',
      'r.user_id',
      'u.email as user_email',
      'u.name as user_name',
      'r.amount',
      'r.currency',
      'r.period',
      'r.note',
      'r.approver_id',
      'r.status',
      'r.decided_by',
      'r.decided_at',
      'r.decision_note',
      'r.exported_at',
      'r.created_at',
    ])
    .where('r.org_id', '=', orgId);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;
function toView(r: Row): ReimbursementView {
  return {
    ...r,
    amount: Number(r.amount),
    decided_at: r.decided_at?.toISOString() ?? null,
    exported_at: r.exported_at?.toISOString() ?? null,
    created_at: r.created_at.toISOString(),
  };
}

/** The approver: the employee's manager, else an admin other than the employee (else any admin). */
async function approverFor(tx: Tx, orgId: string, userId: string): Promise<string | null> {
  const user = await tx.db
    .selectFrom('users')
    .select(['manager_id'])
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw new AppError('not_found', `user ${userId} not found`);
  if (user.manager_id && user.manager_id !== userId) return user.manager_id;
  const admin = await tx.db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('role', 'in', ['owner', 'admin'])
    .where('id', '!=', userId)
    .orderBy('created_at')
    .executeTakeFirst();
  return admin?.id ?? null;
}

export interface SubmitInput {
  amount: number;
  currency: string;
  period: string;
  note?: string | undefined;
}

/** An employee's request; the approver is DMed in Slack (job) once it commits. */
export async function submitReimbursement(
  ctx: AppContext,
  orgId: string,
  userId: string,
  input: SubmitInput,
): Promise<ReimbursementView> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const approverId = await approverFor(tx, orgId, userId);
    const { id } = await tx.db
      .insertInto('reimbursement_requests')
      .values({
        org_id: orgId,
        user_id: userId,
        amount: input.amount,
        currency: input.currency.toUpperCase(),
        period: input.period,
        note: input.note ?? '',
        approver_id: approverId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      orgId,
      { type: 'user', id: userId },
      {
        action: 'reimbursement.submit',
        targetType: 'reimbursement',
        targetId: id,
        details: {
          amount: input.amount,
          currency: input.currency.toUpperCase(),
          period: input.period,
          approver_id: approverId,
        },
      },
    );
    await enqueueJob(tx, notifyReimbursementJob, { requestId: id, event: 'submitted' }, { orgId });
    return toView(await baseQuery(tx, orgId).where('r.id', '=', id).executeTakeFirstOrThrow());
  });
}

/** A request visible to the caller: the employee, the approver and admins; others get 404. */
export async function getReimbursement(
  ctx: AppContext,
  orgId: string,
  viewer: Decider,
  id: string,
): Promise<ReimbursementView> {
  const row = await ctx.db.withTenant(orgId, (tx) =>
    baseQuery(tx, orgId).where('r.id', '=', id).executeTakeFirst(),
  );
  if (!row || !(viewer.admin || row.user_id === viewer.userId || row.approver_id === viewer.userId)) {
    throw new AppError('not_found', `reimbursement request ${id} not found`);
  }
  return toView(row);
}

export interface ListFilter {
  scope: 'mine' | 'approvals' | 'all';
  status?: ReimbursementStatus | undefined;
  period?: string | undefined;
}

/** `mine`: the caller's requests; `approvals`: waiting on the caller (admins: every approver's); `all`: admins. */
export async function listReimbursements(
  ctx: AppContext,
  orgId: string,
  viewer: Decider,
  filter: ListFilter,
): Promise<ReimbursementView[]> {
  if (filter.scope === 'all' && !viewer.admin) {
    throw new AppError('forbidden', 'only admins can list every reimbursement request');
  }
  const rows = await ctx.db.withTenant(orgId, (tx) => {
    let q = baseQuery(tx, orgId);
    if (filter.scope === 'mine')
      q = q.where('r.user_id', '=', viewer.userId ?? '00000000-0000-0000-0000-000000000000');
    if (filter.scope === 'approvals' && !viewer.admin) {
      q = q.where('r.approver_id', '=', viewer.userId ?? '00000000-0000-0000-0000-000000000000');
    }
    if (filter.status) q = q.where('r.status', '=', filter.status);
    if (filter.period) q = q.where('r.period', '=', filter.period);
    return q.orderBy('r.created_at', 'desc').limit(500).execute();
  });
  return rows.map(toView);
}

/**
 * Approve or reject. Only the assigned approver or an admin may decide, never the employee on
 * their own request; a decided request cannot be decided again (409). The employee is told by
 * Slack DM and email, and the approver's Slack card is updated.
 */
export async function decideReimbursement(
  ctx: AppContext,
  orgId: string,
  decider: Decider,
  id: string,
  decision: 'approved' | 'rejected',
  note?: string,
): Promise<ReimbursementView> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const current = await baseQuery(tx, orgId).where('r.id', '=', id).executeTakeFirst();
    const visible =
      current &&
      (decider.admin || current.user_id === decider.userId || current.approver_id === decider.userId);
    if (!current || !visible) throw new AppError('not_found', `reimbursement request ${id} not found`);
    if (decider.userId && current.user_id === decider.userId) {
      throw new AppError('forbidden', 'you cannot decide your own reimbursement request');
    }
    if (!decider.admin && current.approver_id !== decider.userId) {
      throw new AppError('forbidden', 'only the assigned approver or an admin can decide this request');
    }
    const updated = await tx.db
      .updateTable('reimbursement_requests')
      .set({
        status: decision,
        decided_by: decider.userId ?? `${decider.actor.type}:${decider.actor.id ?? ''}`,
        decided_at: new Date(),
        decision_note: note ?? null,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('status', '=', 'submitted')
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new AppError('conflict', `reimbursement request ${id} was already ${current.status}`);
    await appendAudit(tx, orgId, decider.actor, {
      action: decision === 'approved' ? 'reimbursement.approve' : 'reimbursement.reject',
      targetType: 'reimbursement',
      targetId: id,
      details: { amount: Number(current.amount), currency: current.currency, period: current.period },
    });
    await enqueueJob(tx, notifyReimbursementJob, { requestId: id, event: decision }, { orgId });
    const amount = `${Number(current.amount).toFixed(2)} ${current.currency}`;
    const text =
      decision === 'approved'
        ? `Your reimbursement request of ${amount} for ${current.period} was approved and is queued for payroll.`
        : `Your reimbursement request of ${amount} for ${current.period} was rejected.${note ? ` Note: ${note}` : ''}`;
    await enqueueEmail(tx, orgId, current.user_email, {
      subject: `Reimbursement request ${decision}`,
      text: `Hello ${current.user_name},\n\n${text}\n`,
      html: `<p>Hello ${escapeHtml(current.user_name)},</p><p>${escapeHtml(text)}</p>`,
    });
    return toView(await baseQuery(tx, orgId).where('r.id', '=', id).executeTakeFirstOrThrow());
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function csvCell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  // Leading = + - @ would run as formulas in a spreadsheet (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const PAYROLL_COLUMNS = [
  'request_id',
  'employee_email',
  'employee_name',
  'amount',
  'currency',
  'period',
  'approved_by',
  'approved_at',
  'note',
  'first_exported_at',
] as const;

/** The payroll CSV of a period: every approved request; first export time is stamped and audited. */
export async function exportPayroll(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  period: string,
): Promise<string> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const now = new Date();
    await tx.db
      .updateTable('reimbursement_requests')
      .set({ exported_at: now })
      .where('org_id', '=', orgId)
      .where('period', '=', period)
      .where('status', '=', 'approved')
      .where('exported_at', 'is', null)
      .execute();
    const rows = await baseQuery(tx, orgId)
      .where('r.period', '=', period)
      .where('r.status', '=', 'approved')
      .orderBy('u.email')
      .orderBy('r.created_at')
      .execute();
    const approvers = await tx.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('org_id', '=', orgId)
      .execute();
    const emailOf = new Map(approvers.map((a) => [a.id, a.email]));
    await appendAudit(tx, orgId, actor, {
      action: 'reimbursement.payroll_export',
      targetType: 'org',
      targetId: orgId,
      details: { period, rows: rows.length },
    });
    const lines = rows.map((r) =>
      [
        r.id,
        r.user_email,
        r.user_name,
        Number(r.amount).toFixed(2),
        r.currency,
        r.period,
        (r.decided_by && emailOf.get(r.decided_by)) ?? r.decided_by,
        r.decided_at?.toISOString() ?? '',
        r.note,
        r.exported_at?.toISOString() ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
    return `${[PAYROLL_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
  });
}

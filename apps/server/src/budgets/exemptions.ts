import { AppError, ancestorChain, isPeriodKey, periodKeyOf } from '@toktra/core';
import type { DB, ExemptionStatus, Tx } from '@toktra/db';
import type { ExpressionBuilder } from 'kysely';
import { type Actor, appendAudit } from '../audit/service.js';
import type { Principal } from '../auth/permissions.js';
import { can } from '../auth/permissions.js';
import type { Scope } from '../auth/scope.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';

export interface ExemptionRow {
  id: string;
  budget_id: string;
  user_id: string;
  period: string;
  kind: 'raise' | 'lift';
  raise_tokens: number | null;
  justification: string;
  status: ExemptionStatus;
  requested_by_type: string;
  requested_by: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  created_at: Date;
}

const COLUMNS = [
  'id',
  'budget_id',
  'user_id',
  'period',
  'kind',
  'raise_tokens',
  'justification',
  'status',
  'requested_by_type',
  'requested_by',
  'decided_by',
  'decided_at',
  'decision_note',
  'created_at',
] as const;

export interface ExemptionRequest {
  user_id: string;
  budget_id: string;
  /** `YYYY-MM`; defaults to the current period in the org's time zone. */
  period?: string | undefined;
  raise_tokens?: number | undefined;
  lift?: boolean | undefined;
  justification?: string | undefined;
}

export function actorOfPrincipal(p: Principal): Actor {
  return p.kind === 'user'
    ? { type: 'user', id: p.userId ?? null }
    : { type: 'api_key', id: p.keyId ?? null };
}

/** The user must be the requester, report to them, or the requester must be able to manage settings. */
function assertMayRequest(principal: Principal, user: { id: string; manager_id: string | null }): void {
  if (principal.kind === 'user' && (principal.userId === user.id || principal.userId === user.manager_id))
    return;
  if (can(principal, 'settings:manage')) return;
  throw new AppError(
    'forbidden',
    'only the user, their manager or an admin may request an exemption for this user',
  );
}

async function budgetAppliesTo(
  tx: Tx,
  orgId: string,
  budgetDept: string | null,
  userDept: string | null,
): Promise<boolean> {
  if (budgetDept === null) return true;
  if (userDept === null) return false;
  const depts = await tx.db
    .selectFrom('departments')
    .select(['id', 'parent_id'])
    .where('org_id', '=', orgId)
    .execute();
  return ancestorChain(userDept, new Map(depts.map((d) => [d.id, d.parent_id]))).includes(budgetDept);
}

export async function requestExemption(
  ctx: AppContext,
  orgId: string,
  principal: Principal,
  input: ExemptionRequest,
): Promise<ExemptionRow> {
  if (input.lift === true && input.raise_tokens !== undefined) {
    throw new AppError('validation_failed', 'give either raise_tokens or lift: true, not both');
  }
  if (input.lift !== true && input.raise_tokens === undefined) {
    throw new AppError('validation_failed', 'give raise_tokens (a positive integer) or lift: true');
  }
  return ctx.db.withTenant(orgId, async (tx) => {
    const user = await tx.db
      .selectFrom('users')
      .select(['id', 'manager_id', 'department_id'])
      .where('org_id', '=', orgId)
      .where('id', '=', input.user_id)
      .executeTakeFirst();
    if (!user) throw new AppError('not_found', `user ${input.user_id} not found`);
    const budget = await tx.db
      .selectFrom('budgets')
      .select(['id', 'department_id'])
      .where('org_id', '=', orgId)
      .where('id', '=', input.budget_id)
      .executeTakeFirst();
    if (!budget) throw new AppError('not_found', `budget ${input.budget_id} not found`);
    assertMayRequest(principal, user);
    if (!(await budgetAppliesTo(tx, orgId, budget.department_id, user.department_id))) {
      throw new AppError(
        'validation_failed',
        'that budget does not apply to this user (not their department or an ancestor of it)',
      );
    }
    const org = await tx.db
      .selectFrom('orgs')
      .select('time_zone')
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    const current = periodKeyOf(new Date(), org.time_zone);
    const period = input.period ?? current;
    if (!isPeriodKey(period)) throw new AppError('validation_failed', 'period must be YYYY-MM');
    if (period < current)
      throw new AppError(
        'validation_failed',
        `period ${period} has ended; exemptions apply to ${current} or later`,
      );
    const actor = actorOfPrincipal(principal);
    const row = await tx.db
      .insertInto('budget_exemptions')
      .values({
        org_id: orgId,
        budget_id: budget.id,
        user_id: user.id,
        period,
        kind: input.lift ? 'lift' : 'raise',
        raise_tokens: input.lift ? null : (input.raise_tokens ?? null),
        justification: input.justification ?? '',
        requested_by_type: actor.type,
        requested_by: actor.id,
        decided_by: null,
        decided_at: null,
        decision_note: null,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'exemption.request',
      targetType: 'exemption',
      targetId: row.id,
      details: {
        user_id: row.user_id,
        budget_id: row.budget_id,
        period,
        kind: row.kind,
        raise_tokens: row.raise_tokens,
      },
    });
    return row;
  });
}

/** Approves or rejects a pending request (a decided one is a 409). Approval takes effect at once. */
export async function decideExemption(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  exemptionId: string,
  decision: 'approved' | 'rejected',
  note?: string,
): Promise<ExemptionRow> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const current = await tx.db
      .selectFrom('budget_exemptions')
      .select('status')
      .where('org_id', '=', orgId)
      .where('id', '=', exemptionId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new AppError('not_found', `exemption ${exemptionId} not found`);
    if (current.status !== 'requested')
      throw new AppError('conflict', `exemption ${exemptionId} is already ${current.status}`);
    const row = await tx.db
      .updateTable('budget_exemptions')
      .set({ status: decision, decided_by: actor.id, decided_at: new Date(), decision_note: note ?? null })
      .where('org_id', '=', orgId)
      .where('id', '=', exemptionId)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: decision === 'approved' ? 'exemption.approve' : 'exemption.reject',
      targetType: 'exemption',
      targetId: exemptionId,
      details: {
        user_id: row.user_id,
        budget_id: row.budget_id,
        period: row.period,
        kind: row.kind,
        note: note ?? null,
      },
    });
    await emitEvent(ctx, tx, orgId, 'exemption.decided', { exemptionId, decision });
    return row;
  });
}

export async function listExemptions(
  ctx: AppContext,
  scope: Scope,
  filter: {
    status?: ExemptionStatus | undefined;
    period?: string | undefined;
    user_id?: string | undefined;
    budget_id?: string | undefined;
  },
): Promise<ExemptionRow[]> {
  const orgId = scope.orgId;
  return ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('budget_exemptions')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .where((eb) => requesterInReach(eb, scope))
      .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status as ExemptionStatus))
      .$if(filter.period !== undefined, (q) => q.where('period', '=', filter.period as string))
      .$if(filter.user_id !== undefined, (q) => q.where('user_id', '=', filter.user_id as string))
      .$if(filter.budget_id !== undefined, (q) => q.where('budget_id', '=', filter.budget_id as string))
      .orderBy('created_at', 'desc')
      .limit(500)
      .execute(),
  );
}

/** Requests by people within the scope's reach: a manager's subtree and themselves, an employee's own. */
function requesterInReach(eb: ExpressionBuilder<DB, 'budget_exemptions'>, scope: Scope) {
  if (scope.reach === 'org') return eb.lit(true);
  if (scope.reach === 'self' || scope.departmentIds.length === 0) return eb('user_id', '=', scope.userId);
  return eb.or([
    eb('user_id', '=', scope.userId),
    eb(
      'user_id',
      'in',
      eb
        .selectFrom('users')
        .select('users.id')
        .where('users.org_id', '=', scope.orgId)
        .where('users.department_id', 'in', scope.departmentIds),
    ),
  ]);
}

export async function getExemption(
  ctx: AppContext,
  scope: Scope,
  exemptionId: string,
): Promise<ExemptionRow> {
  const orgId = scope.orgId;
  const row = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('budget_exemptions')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .where('id', '=', exemptionId)
      .where((eb) => requesterInReach(eb, scope))
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('not_found', `exemption ${exemptionId} not found`);
  return row;
}

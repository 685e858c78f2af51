import { AppError } from '@toktra/core';
import type { BudgetCap, Tx } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';

export interface BudgetRow {
  id: string;
  department_id: string | null;
  limit_tokens: number | null;
  limit_cost: number | null;
  cap: BudgetCap;
  thresholds: number[];
  rollover_cap_pct: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface BudgetInput {
  department_id?: string | null | undefined;
  limit_tokens?: number | null | undefined;
  limit_cost?: number | null | undefined;
  cap: BudgetCap;
  thresholds?: number[] | undefined;
  rollover_cap_pct?: number | null | undefined;
}

export type BudgetPatch = Partial<Omit<BudgetInput, 'department_id'>>;

const COLUMNS = [
  'id',
  'department_id',
  'limit_tokens',
  'limit_cost',
  'cap',
  'thresholds',
  'rollover_cap_pct',
  'created_at',
  'updated_at',
] as const;

export function budgetUnit(b: Pick<BudgetRow, 'limit_tokens'>): 'tokens' | 'cost' {
  return b.limit_tokens !== null ? 'tokens' : 'cost';
}

/** The base limit in the budget's unit (tokens or currency). */
export function budgetLimit(b: Pick<BudgetRow, 'limit_tokens' | 'limit_cost'>): number {
  return b.limit_tokens ?? b.limit_cost ?? 0;
}

function normalize(thresholds: number[] | undefined): number[] {
  return [...new Set(thresholds ?? [])].sort((a, b) => a - b);
}

async function assertDepartmentOf(tx: Tx, orgId: string, departmentId: string): Promise<void> {
  const row = await tx.db
    .selectFrom('departments')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', departmentId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `department ${departmentId} not found`);
}

async function assertScopeFree(tx: Tx, orgId: string, departmentId: string | null): Promise<void> {
  const taken = await tx.db
    .selectFrom('budgets')
    .select('id')
    .where('org_id', '=', orgId)
    .where('department_id', departmentId === null ? 'is' : '=', departmentId)
    .executeTakeFirst();
  if (taken) {
    throw new AppError(
      'conflict',
      `${departmentId ? `department ${departmentId}` : 'the organisation'} already has a budget (${taken.id}); update it instead`,
    );
  }
}

export async function createBudget(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  input: BudgetInput,
): Promise<BudgetRow> {
  const departmentId = input.department_id ?? null;
  return ctx.db.withTenant(orgId, async (tx) => {
    if (departmentId) await assertDepartmentOf(tx, orgId, departmentId);
    await assertScopeFree(tx, orgId, departmentId);
    const row = await tx.db
      .insertInto('budgets')
      .values({
        org_id: orgId,
        department_id: departmentId,
        limit_tokens: input.limit_tokens ?? null,
        limit_cost: input.limit_cost ?? null,
        cap: input.cap,
        thresholds: JSON.stringify(normalize(input.thresholds)),
        rollover_cap_pct: input.rollover_cap_pct ?? null,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'budget.create',
      targetType: 'budget',
      targetId: row.id,
      details: { ...input, department_id: departmentId },
    });
    await emitEvent(ctx, tx, orgId, 'budget.changed', { what: 'budget' });
    return row;
  });
}

export async function listBudgets(ctx: AppContext, orgId: string): Promise<BudgetRow[]> {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('budgets')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  );
}

export async function getBudget(ctx: AppContext, orgId: string, budgetId: string): Promise<BudgetRow> {
  const row = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('budgets')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .where('id', '=', budgetId)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('not_found', `budget ${budgetId} not found`);
  return row;
}

/** Changes a budget; switching between a token and a money limit is allowed (the other is cleared). */
export async function updateBudget(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  budgetId: string,
  patch: BudgetPatch,
): Promise<BudgetRow> {
  return ctx.db.withTenant(orgId, async (tx) => {
    const values: Record<string, unknown> = { updated_at: new Date() };
    if (patch.limit_tokens != null)
      Object.assign(values, { limit_tokens: patch.limit_tokens, limit_cost: null });
    if (patch.limit_cost != null) Object.assign(values, { limit_cost: patch.limit_cost, limit_tokens: null });
    if (patch.cap !== undefined) values.cap = patch.cap;
    if (patch.thresholds !== undefined) values.thresholds = JSON.stringify(normalize(patch.thresholds));
    if (patch.rollover_cap_pct !== undefined) values.rollover_cap_pct = patch.rollover_cap_pct;
    const row = await tx.db
      .updateTable('budgets')
      .set(values)
      .where('org_id', '=', orgId)
      .where('id', '=', budgetId)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `budget ${budgetId} not found`);
    await appendAudit(tx, orgId, actor, {
      action: 'budget.update',
      targetType: 'budget',
      targetId: budgetId,
      details: { ...patch },
    });
    await emitEvent(ctx, tx, orgId, 'budget.changed', { what: 'budget' });
    return row;
  });
}

export async function deleteBudget(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  budgetId: string,
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    const row = await tx.db
      .deleteFrom('budgets')
      .where('org_id', '=', orgId)
      .where('id', '=', budgetId)
      .returning(['department_id', 'limit_tokens', 'limit_cost', 'cap'])
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `budget ${budgetId} not found`);
    await appendAudit(tx, orgId, actor, {
      action: 'budget.delete',
      targetType: 'budget',
      targetId: budgetId,
      details: { ...row },
    });
    await emitEvent(ctx, tx, orgId, 'budget.changed', { what: 'budget' });
  });
}

import { AppError, wouldCreateCycle } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';

export interface DepartmentRow {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: Date;
}

async function loadTree(tx: Tx, orgId: string): Promise<Map<string, string | null>> {
  const rows = await tx.db
    .selectFrom('departments')
    .select(['id', 'parent_id'])
    .where('org_id', '=', orgId)
    .execute();
  return new Map(rows.map((r) => [r.id, r.parent_id]));
}

/**
 * Renames and/or moves a department. A move under itself or any of its descendants is refused
 * (it would detach a cycle from the tree); a foreign or unknown parent is a 404.
 */
export async function updateDepartment(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  departmentId: string,
  patch: { name?: string | undefined; parent_id?: string | null | undefined },
): Promise<DepartmentRow> {
  return ctx.db.withTenant(orgId, async (tx) => {
    // Serialise tree edits per org so two concurrent moves cannot together form a cycle.
    await tx.db.selectFrom('departments').select('id').where('org_id', '=', orgId).forUpdate().execute();
    const tree = await loadTree(tx, orgId);
    if (!tree.has(departmentId)) throw new AppError('not_found', `department ${departmentId} not found`);
    const values: { name?: string; parent_id?: string | null } = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.parent_id !== undefined) {
      if (patch.parent_id !== null && !tree.has(patch.parent_id)) {
        throw new AppError('not_found', `department ${patch.parent_id} not found`);
      }
      if (wouldCreateCycle(departmentId, patch.parent_id, tree)) {
        throw new AppError(
          'validation_failed',
          'parent_id would make the department its own ancestor (a cycle); pick a department outside its subtree',
        );
      }
      values.parent_id = patch.parent_id;
    }
    if (Object.keys(values).length === 0)
      throw new AppError('validation_failed', 'give name and/or parent_id');
    const row = await tx.db
      .updateTable('departments')
      .set(values)
      .where('org_id', '=', orgId)
      .where('id', '=', departmentId)
      .returning(['id', 'name', 'parent_id', 'created_at'])
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'department.update',
      targetType: 'department',
      targetId: departmentId,
      details: { ...values, previous_parent_id: tree.get(departmentId) ?? null },
    });
    await emitEvent(ctx, tx, orgId, 'budget.changed', { what: 'department' });
    return row;
  });
}

/**
 * Deletes a department: its sub-departments and members move up to its parent (or to the top
 * level / no department), and its budget goes with it. Past events keep their attribution.
 */
export async function deleteDepartment(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  departmentId: string,
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    await tx.db.selectFrom('departments').select('id').where('org_id', '=', orgId).forUpdate().execute();
    const tree = await loadTree(tx, orgId);
    if (!tree.has(departmentId)) throw new AppError('not_found', `department ${departmentId} not found`);
    const parent = tree.get(departmentId) ?? null;
    const children = await tx.db
      .updateTable('departments')
      .set({ parent_id: parent })
      .where('org_id', '=', orgId)
      .where('parent_id', '=', departmentId)
      .returning('id')
      .execute();
    const members = await tx.db
      .updateTable('users')
      .set({ department_id: parent, updated_at: new Date() })
      .where('org_id', '=', orgId)
      .where('department_id', '=', departmentId)
      .returning('id')
      .execute();
    const budget = await tx.db
      .deleteFrom('budgets')
      .where('org_id', '=', orgId)
      .where('department_id', '=', departmentId)
      .returning('id')
      .executeTakeFirst();
    await tx.db
      .deleteFrom('departments')
      .where('org_id', '=', orgId)
      .where('id', '=', departmentId)
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'department.delete',
      targetType: 'department',
      targetId: departmentId,
      details: {
        moved_to: parent,
        children: children.map((c) => c.id),
        users_moved: members.length,
        budget_deleted: budget?.id ?? null,
      },
    });
    await emitEvent(ctx, tx, orgId, 'budget.changed', { what: 'department' });
  });
}

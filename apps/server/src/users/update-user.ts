import { AppError, isUuid } from '@toktra/core';
import type { Database, UserRole } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import { assertDepartment } from '../departments/service.js';
import { assertUser, type UserView } from './service.js';

export interface UpdateUserInput {
  name?: string | undefined;
  departmentId?: string | null | undefined;
  managerId?: string | null | undefined;
  role?: Exclude<UserRole, 'owner'> | undefined;
}

/**
 * Edits a user: name, department (a move), manager, role. The owner's role is fixed (ownership
 * is not handed over by an edit), and a manager chain may not loop back to the user.
 */
export async function updateUser(
  db: Database,
  orgId: string,
  actor: Actor,
  userId: string,
  input: UpdateUserInput,
): Promise<UserView> {
  if (!isUuid(userId)) throw new AppError('not_found', `user ${userId} not found`);
  return db.withTenant(orgId, async (tx) => {
    const before = await tx.db
      .selectFrom('users')
      .select(['id', 'name', 'department_id', 'manager_id', 'role'])
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('not_found', `user ${userId} not found`);
    if (input.departmentId) await assertDepartment(tx, orgId, input.departmentId);
    if (input.managerId) {
      await assertUser(tx, orgId, input.managerId);
      const managers = new Map(
        (
          await tx.db.selectFrom('users').select(['id', 'manager_id']).where('org_id', '=', orgId).execute()
        ).map((u) => [u.id, u.manager_id]),
      );
      // Walk up from the new manager: meeting the user means the chain would loop.
      for (let at: string | null | undefined = input.managerId; at; at = managers.get(at)) {
        if (at === userId) {
          throw new AppError(
            'validation_failed',
            'manager_id would make the user their own (indirect) manager; pick someone outside their reports',
          );
        }
      }
    }
    if (input.role !== undefined && before.role === 'owner') {
      throw new AppError('validation_failed', 'the owner’s role cannot be changed');
    }
    const values = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.departmentId !== undefined ? { department_id: input.departmentId } : {}),
      ...(input.managerId !== undefined ? { manager_id: input.managerId } : {}),
      ...(input.role !== undefined ? { role: input.role } : {}),
    };
    const row = await tx.db
      .updateTable('users')
      .set(values)
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .returning(['id', 'email', 'name', 'department_id', 'manager_id', 'role', 'created_at'])
      .executeTakeFirstOrThrow();
    const changed = Object.fromEntries(
      Object.entries(values).filter(([k, v]) => before[k as keyof typeof before] !== v),
    );
    await appendAudit(tx, orgId, actor, {
      action: 'user.update',
      targetType: 'user',
      targetId: userId,
      details: {
        changed,
        previous: Object.fromEntries(Object.keys(changed).map((k) => [k, before[k as keyof typeof before]])),
      },
    });
    return row;
  });
}

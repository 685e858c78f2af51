import { AppError, isUuid } from '@toktra/core';
import type { Database, Tx, UserRole } from '@toktra/db';
import { type Actor, appendAudit } from '../audit/service.js';
import { assertDepartment } from '../departments/service.js';
import { decodeCursor, type Page, toPage } from '../http/v1/pagination.js';

export interface UserView {
  id: string;
  email: string;
  name: string;
  department_id: string | null;
  manager_id: string | null;
  role: UserRole;
  created_at: Date;
}

const COLUMNS = ['id', 'email', 'name', 'department_id', 'manager_id', 'role', 'created_at'] as const;

export interface CreateUserInput {
  email: string;
  name: string;
  departmentId?: string | null;
  managerId?: string | null;
  role?: UserRole;
}

/** Throws `not_found` unless the user exists in the org (a foreign id looks the same). */
export async function assertUser(tx: Tx, orgId: string, userId: string): Promise<void> {
  if (!isUuid(userId)) throw new AppError('not_found', `user ${userId} not found`);
  const row = await tx.db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `user ${userId} not found`);
}

export async function createUser(
  db: Database,
  orgId: string,
  actor: Actor,
  input: CreateUserInput,
): Promise<UserView> {
  return db.withTenant(orgId, async (tx) => {
    if (input.departmentId) await assertDepartment(tx, orgId, input.departmentId);
    if (input.managerId) await assertUser(tx, orgId, input.managerId);
    const taken = await tx.db
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', orgId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase()))
      .executeTakeFirst();
    if (taken) throw new AppError('conflict', `a user with email ${input.email} already exists`);
    const row = await tx.db
      .insertInto('users')
      .values({
        org_id: orgId,
        email: input.email,
        name: input.name,
        department_id: input.departmentId ?? null,
        manager_id: input.managerId ?? null,
        ...(input.role ? { role: input.role } : {}),
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'user.create',
      targetType: 'user',
      targetId: row.id,
      details: {
        email: row.email,
        department_id: row.department_id,
        manager_id: row.manager_id,
        role: row.role,
      },
    });
    return row;
  });
}

export async function getUser(db: Database, orgId: string, userId: string): Promise<UserView> {
  if (!isUuid(userId)) throw new AppError('not_found', `user ${userId} not found`);
  const row = await db.withTenant(orgId, ({ db: trx }) =>
    trx
      .selectFrom('users')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('not_found', `user ${userId} not found`);
  return row;
}

export async function listUsers(
  db: Database,
  orgId: string,
  page: { limit: number; cursor?: string | undefined; departmentId?: string | undefined },
): Promise<Page<UserView>> {
  const after = decodeCursor(page.cursor);
  const rows = await db.withTenant(orgId, ({ db: trx }) =>
    trx
      .selectFrom('users')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .$if(after !== undefined, (q) => q.where('id', '>', after as string))
      .$if(page.departmentId !== undefined, (q) => q.where('department_id', '=', page.departmentId as string))
      .orderBy('id')
      .limit(page.limit + 1)
      .execute(),
  );
  return toPage(rows, page.limit);
}

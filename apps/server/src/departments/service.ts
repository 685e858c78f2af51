import { AppError, isUuid } from '@toktra/core';
import type { Database, Tx } from '@toktra/db';
import { sql } from 'kysely';
import { type Actor, appendAudit } from '../audit/service.js';
import { decodeCursor, type Page, toPage } from '../http/v1/pagination.js';

export interface DepartmentView {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: Date;
}

const COLUMNS = ['id', 'name', 'parent_id', 'created_at'] as const;

/** Throws `not_found` unless the department exists in the org (a foreign id looks the same). */
export async function assertDepartment(tx: Tx, orgId: string, departmentId: string): Promise<void> {
  if (!isUuid(departmentId)) throw new AppError('not_found', `department ${departmentId} not found`);
  const row = await tx.db
    .selectFrom('departments')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', departmentId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `department ${departmentId} not found`);
}

export async function createDepartment(
  db: Database,
  orgId: string,
  actor: Actor,
  input: { name: string; parentId?: string | null },
): Promise<DepartmentView> {
  return db.withTenant(orgId, async (tx) => {
    if (input.parentId) await assertDepartment(tx, orgId, input.parentId);
    const row = await tx.db
      .insertInto('departments')
      .values({ org_id: orgId, name: input.name, parent_id: input.parentId ?? null })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'department.create',
      targetType: 'department',
      targetId: row.id,
      details: { name: row.name, parent_id: row.parent_id },
    });
    return row;
  });
}

export async function getDepartment(
  db: Database,
  orgId: string,
  departmentId: string,
): Promise<DepartmentView> {
  if (!isUuid(departmentId)) throw new AppError('not_found', `department ${departmentId} not found`);
  const row = await db.withTenant(orgId, ({ db: trx }) =>
    trx
      .selectFrom('departments')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .where('id', '=', departmentId)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('not_found', `department ${departmentId} not found`);
  return row;
}

export async function listDepartments(
  db: Database,
  orgId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<DepartmentView>> {
  const after = decodeCursor(page.cursor);
  const rows = await db.withTenant(orgId, ({ db: trx }) =>
    trx
      .selectFrom('departments')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .$if(after !== undefined, (q) => q.where('id', '>', after as string))
      .orderBy('id')
      .limit(page.limit + 1)
      .execute(),
  );
  return toPage(rows, page.limit);
}

/** The department and every department below it, at any depth. */
export async function departmentSubtree(tx: Tx, orgId: string, departmentId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    WITH RECURSIVE subtree AS (
      SELECT id FROM departments WHERE org_id = ${orgId} AND id = ${departmentId}
      UNION
      SELECT d.id FROM departments d JOIN subtree s ON d.parent_id = s.id WHERE d.org_id = ${orgId}
    )
    SELECT id FROM subtree`.execute(tx.db);
  return result.rows.map((r) => r.id);
}

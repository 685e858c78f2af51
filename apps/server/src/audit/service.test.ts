import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../orgs/service.js';
import { appendAudit, verifyAuditChain } from './service.js';

let handle: TestDatabase;
const actor = { type: 'user', id: 'u1' } as const;

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle.drop());

async function orgWithEntries(count: number): Promise<string> {
  const { orgId } = await createOrg(handle.db, {
    name: `audit-${Math.random()}`,
    adminEmail: 'a@audit.test',
  });
  for (let i = 0; i < count; i++) {
    await handle.db.withTenant(orgId, (tx) =>
      appendAudit(tx, orgId, actor, {
        action: 'budget.update',
        targetType: 'budget',
        targetId: `b${i}`,
        details: { limit: i, nested: { z: 1, a: [i] } },
      }),
    );
  }
  return orgId;
}

/** Edits a row as the database owner would have to: around the append-only trigger. */
async function tamper(orgId: string, seq: number, change: string) {
  await handle.db.system(async ({ db }) => {
    await sql`SELECT set_config('toktra.audit_redaction', 'on', true)`.execute(db);
    await sql.raw(`UPDATE audit_log SET ${change} WHERE org_id = '${orgId}' AND seq = ${seq}`).execute(db);
  });
}

describe('audit hash chain', () => {
  it('verifies an intact chain, entry by entry', async () => {
    const orgId = await orgWithEntries(5);
    expect(await verifyAuditChain(handle.db, orgId)).toEqual({ ok: true, entries: 6 });
  });

  it('detects an edited entry', async () => {
    const orgId = await orgWithEntries(5);
    await tamper(orgId, 3, `details = '{"limit": 1000}'`);
    expect(await verifyAuditChain(handle.db, orgId)).toMatchObject({ ok: false, brokenAtSeq: 3, entries: 2 });
  });

  it('detects an edit that also recomputes the entry hash (the next link breaks)', async () => {
    const orgId = await orgWithEntries(4);
    await tamper(orgId, 2, `action = 'budget.delete', hash = 'f'`);
    const result = await verifyAuditChain(handle.db, orgId);
    expect(result).toMatchObject({ ok: false, brokenAtSeq: 2 });
  });

  it('keeps the chain intact under concurrent appends', async () => {
    const { orgId } = await createOrg(handle.db, { name: 'concurrent', adminEmail: 'c@audit.test' });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        handle.db.withTenant(orgId, (tx) => appendAudit(tx, orgId, actor, { action: `parallel.${i}` })),
      ),
    );
    expect(await verifyAuditChain(handle.db, orgId)).toEqual({ ok: true, entries: 21 });
  });

  it('is not_found for an unknown org', async () => {
    await expect(verifyAuditChain(handle.db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

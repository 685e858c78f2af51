import type { TestDatabase } from '@toktra/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { hashEntry } from './hash.js';
import { redactAuditEntries } from './redact.js';
import { appendAudit, verifyAuditChain } from './service.js';

const EMAIL = 'legacy.person@audit.test';
let ctx: AppContext;
let handle: TestDatabase;
let org: SeededOrg;

const owner = <T>(fn: (db: Parameters<Parameters<AppContext['db']['system']>[0]>[0]['db']) => Promise<T>) =>
  ctx.db.system(({ db }) => fn(db));

/** A format-1 entry, as written before format 2 existed: its hash covers the values themselves. */
async function appendLegacyEntry(): Promise<number> {
  return owner(async (db) => {
    const last = await db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .where('org_id', '=', org.orgId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    const entry = {
      org_id: org.orgId,
      seq: last.seq + 1,
      at: new Date(),
      actor_type: 'user',
      actor_id: org.users.alice,
      action: 'user.update',
      target_type: 'user',
      target_id: org.users.alice,
      details: { email: EMAIL },
    };
    await db
      .insertInto('audit_log')
      .values({
        ...entry,
        actor_type: 'user',
        details: JSON.stringify(entry.details),
        prev_hash: last.hash,
        hash: hashEntry(last.hash, entry),
      })
      .execute();
    return entry.seq;
  });
}

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  org = await seedOrg(ctx, 'audit-redact');
});
afterAll(() => handle.drop());

describe('audit redaction', () => {
  it('pseudonymises format-1 and format-2 entries; the chain still verifies', async () => {
    const legacySeq = await appendLegacyEntry();
    await ctx.db.withTenant(org.orgId, (tx) =>
      appendAudit(
        tx,
        org.orgId,
        { type: 'user', id: org.users.alice },
        { action: 'x.y', details: { email: EMAIL } },
      ),
    );
    expect(await verifyAuditChain(ctx.db, org.orgId)).toMatchObject({ ok: true });
    const redacted = await ctx.db.system((tx) =>
      redactAuditEntries(tx, org.orgId, [
        [EMAIL, '[erased]'],
        [org.users.alice, '00000000-0000-4000-8000-000000000000'],
      ]),
    );
    expect(redacted).toBe(2);
    expect(await verifyAuditChain(ctx.db, org.orgId)).toMatchObject({ ok: true });
    const rows = await owner((db) =>
      sql<{ t: string }>`SELECT a::text AS t FROM audit_log a WHERE org_id = ${org.orgId}::uuid`.execute(db),
    );
    expect(rows.rows.some((r) => r.t.includes(EMAIL) || r.t.includes(org.users.alice))).toBe(false);
    const legacy = await owner((db) =>
      db
        .selectFrom('audit_log')
        .select(['format', 'redacted_at'])
        .where('org_id', '=', org.orgId)
        .where('seq', '=', legacySeq)
        .executeTakeFirstOrThrow(),
    );
    expect(legacy.format).toBe(1);
    expect(legacy.redacted_at).not.toBeNull();
  });

  it('an intact entry whose personal fields change no longer matches its commitment', async () => {
    await ctx.db.withTenant(org.orgId, (tx) =>
      appendAudit(tx, org.orgId, { type: 'system', id: null }, { action: 'a.b', details: { n: 1 } }),
    );
    await owner(async (db) => {
      await sql`SELECT set_config('toktra.audit_redaction', 'on', true)`.execute(db);
      await sql`UPDATE audit_log SET details = '{"n": 2}'::jsonb
        WHERE org_id = ${org.orgId}::uuid AND seq = (SELECT max(seq) FROM audit_log WHERE org_id = ${org.orgId}::uuid)`.execute(
        db,
      );
    });
    expect(await verifyAuditChain(ctx.db, org.orgId)).toMatchObject({
      ok: false,
      reason: 'personal fields do not match their commitment',
    });
  });

  it('is refused outside the redaction path', async () => {
    await expect(
      owner((db) => sql`UPDATE audit_log SET actor_id = 'x' WHERE org_id = ${org.orgId}::uuid`.execute(db)),
    ).rejects.toThrow(/append-only/);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFromStores, findInStores } from './database.js';
import type { Region } from './schema/index.js';
import { createTestResidency, dumpTables, type TestResidency } from './testing.js';

let residency: TestResidency;

beforeAll(async () => {
  residency = await createTestResidency(['us', 'eu']);
});
afterAll(() => residency.drop());

async function createOrg(name: string, region: Region): Promise<string> {
  const { db } = residency;
  const id = randomUUID();
  await db.placeOrg(id, region);
  const store = await db.inRegion(region);
  await store.system(({ db: trx }) => trx.insertInto('orgs').values({ id, name, region }).execute());
  return id;
}

function addUser(orgId: string, email: string) {
  return residency.db.withTenant(orgId, ({ db }) =>
    db
      .insertInto('users')
      .values({ org_id: orgId, email, name: email.split('@')[0] ?? email, role: 'employee' })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
}

describe('data residency: one store per region', () => {
  it("writes an EU org's data to the EU store only, and a US org's to the US store only", async () => {
    const eu = await createOrg('Berlin GmbH', 'eu');
    const us = await createOrg('Austin Inc', 'us');
    await addUser(eu, 'anna@berlin.example');
    await addUser(us, 'bob@austin.example');

    const rows = await dumpTables(residency.db);
    const where = (needle: string) =>
      new Set(rows.filter((r) => r.row.includes(needle)).map((r) => r.region));
    expect(where(eu)).toEqual(new Set(['eu']));
    expect(where('anna@berlin.example')).toEqual(new Set(['eu']));
    expect(where(us)).toEqual(new Set(['us']));
    expect(where('bob@austin.example')).toEqual(new Set(['us']));
  });

  it('routes reads by org: each org sees its own rows wherever it lives', async () => {
    const eu = await createOrg('Paris SAS', 'eu');
    await addUser(eu, 'chloe@paris.example');
    const users = await residency.db.withTenant(eu, ({ db }) =>
      db.selectFrom('users').select('email').execute(),
    );
    expect(users.map((u) => u.email)).toEqual(['chloe@paris.example']);
  });

  it('answers not_found for an org no region holds, and for a malformed id', async () => {
    await expect(residency.db.withTenant(randomUUID(), async () => 1)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(residency.db.withTenant('nope', async () => 1)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a region this deployment has no store for, and never moves an org', async () => {
    await expect(residency.db.inRegion('au')).rejects.toMatchObject({ code: 'validation_failed' });
    const eu = await createOrg('Madrid SL', 'eu');
    await expect(residency.db.placeOrg(eu, 'us')).rejects.toMatchObject({ code: 'conflict' });
    await residency.db.placeOrg(eu, 'eu'); // idempotent
  });

  it('finds a row in any region for cross-tenant lookups, and lists every region', async () => {
    const eu = await createOrg('Lyon SA', 'eu');
    const us = await createOrg('Boston LLC', 'us');
    await addUser(eu, 'lookup@lyon.example');
    await addUser(us, 'lookup@boston.example');
    const found = await findInStores(residency.db, ({ db }) =>
      db.selectFrom('users').select('org_id').where('email', '=', 'lookup@lyon.example').executeTakeFirst(),
    );
    expect(found?.org_id).toBe(eu);
    const all = await collectFromStores(residency.db, ({ db }) =>
      db.selectFrom('users').select('org_id').where('email', 'like', 'lookup@%').execute(),
    );
    expect(all.map((r) => r.org_id).sort()).toEqual([eu, us].sort());
  });
});

import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, hasResidency, listOrgs } from './service.js';

let handle: TestDatabase;

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle.drop());

describe('createOrg on a server with one database (issue 16: residency was silently a label)', () => {
  it('refuses an explicit region, naming how to get residency, and creates nothing', async () => {
    expect(hasResidency(handle.db)).toBe(false);
    const before = (await listOrgs(handle.db)).length;
    await expect(
      createOrg(handle.db, { name: 'eu-co', adminEmail: 'a@eu.test', region: 'eu' }),
    ).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/DATABASE_URL_EU/) });
    expect((await listOrgs(handle.db)).length).toBe(before);
  });

  it('creates it when the label-only region is acknowledged, and without a region as before', async () => {
    const labelled = await createOrg(handle.db, {
      name: 'eu-label',
      adminEmail: 'a@eu.test',
      region: 'eu',
      regionLabelOnly: true,
    });
    const plain = await createOrg(handle.db, { name: 'plain', adminEmail: 'a@plain.test' });
    const orgs = await listOrgs(handle.db);
    expect(orgs.find((o) => o.id === labelled.orgId)?.region).toBe('eu');
    expect(orgs.find((o) => o.id === plain.orgId)?.region).toBe('us');
  });
});

import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBudget } from '../budgets/service.js';
import type { AppContext } from '../context.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { listAuditEntries } from './audit-query.js';

let ctx: AppContext;
let handle: TestDatabase;
let org: SeededOrg;
let other: SeededOrg;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  org = await seedOrg(ctx, 'audit-names');
  other = await seedOrg(ctx, 'audit-names-other');
});
afterAll(() => handle.drop());

describe('audit entries carry readable names (issue 19: not "user:373cea69")', () => {
  it('names the acting user and the budget they changed; ids of another org stay unnamed', async () => {
    const budget = await createBudget(
      ctx,
      org.orgId,
      { type: 'user', id: org.users.alice },
      { department_id: org.departments.backend, limit_tokens: 1000, cap: 'soft', thresholds: [80] },
    );
    // An entry naming another org's user as actor must not resolve that user's name.
    await createBudget(
      ctx,
      org.orgId,
      { type: 'user', id: other.users.alice },
      { department_id: null, limit_tokens: 5000, cap: 'hard', thresholds: [] },
    );
    const entries = await listAuditEntries(ctx.db, org.orgId, { action: 'budget.*' }, { limit: 10 });
    const mine = entries.find((e) => e.target_id === budget.id);
    expect(mine).toMatchObject({ actor_name: 'alice', target_name: "Budget 'Backend'" });
    const foreign = entries.find((e) => e.actor_id === other.users.alice);
    expect(foreign).toMatchObject({ actor_name: null, target_name: 'Organisation budget' });
  });
});

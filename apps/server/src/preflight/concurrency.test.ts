import { newEventId } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBudget } from '../budgets/service.js';
import { ADMIN, ingestTokens } from '../budgets/testing.js';
import type { AppContext } from '../context.js';
import { buildHttpApp, type HttpApp } from '../http/app.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await ctx.preflight.idle();
  await handle.drop();
});

async function spentOf(org: SeededOrg): Promise<number> {
  const rows = await ctx.db.withTenant(org.orgId, ({ db }) =>
    db
      .selectFrom('events')
      .select(['est_input_tokens', 'est_output_tokens'])
      .where('org_id', '=', org.orgId)
      .execute(),
  );
  return rows.reduce((s, r) => s + r.est_input_tokens + r.est_output_tokens, 0);
}

/**
 * One client: ask preflight, and only when allowed send its one-event batch of `batch` tokens
 * through POST /v1/events — what a gateway or the extension does for each LLM request.
 */
async function client(key: string, userId: string, batch: number, stateEstimate: boolean): Promise<boolean> {
  const pre = await app.inject({
    method: 'POST',
    url: '/v1/preflight',
    headers: bearer(key),
    payload: { user_id: userId, ...(stateEstimate ? { estimated_tokens: batch } : {}) },
  });
  expect(pre.statusCode).toBe(200);
  if (!pre.json().allow) return false;
  const ingest = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: bearer(key),
    payload: {
      events: [
        {
          id: newEventId(),
          occurred_at: new Date().toISOString(),
          user_id: userId,
          provider: 'openai',
          input_tokens: batch,
        },
      ],
    },
  });
  expect(ingest.json()).toMatchObject({ accepted: 1 });
  return true;
}

describe('preflight under concurrency', () => {
  it.each([
    ['clients state estimated_tokens', true, 300],
    ['clients rely on the default reservation', false, 700],
  ])(
    '200 concurrent preflight + ingest requests against a nearly spent hard cap overshoot by at most one batch (%s)',
    async (_label, stateEstimate, batch) => {
      const org = await seedOrg(ctx, `race-${batch}`);
      const key = await createKey(ctx, org.orgId, ['ingest', 'read']);
      const limit = 10_000;
      await createBudget(ctx, org.orgId, ADMIN, {
        department_id: org.departments.engineering,
        limit_tokens: limit,
        cap: 'hard',
      });
      await ingestTokens(ctx, org.orgId, [{ userId: org.users.carol, tokens: limit - 1_000 }]); // nearly spent
      const people = [org.users.alice, org.users.bob, org.users.carol];
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          client(key, people[i % people.length] as string, batch, stateEstimate),
        ),
      );
      const allowed = outcomes.filter(Boolean).length;
      const spent = await spentOf(org);
      expect(allowed).toBeGreaterThan(0);
      expect(spent).toBe(limit - 1_000 + allowed * batch);
      expect(spent).toBeLessThanOrEqual(limit + batch); // never more than one batch over
      // Once spent, everyone under Engineering is denied; Sales is not.
      const after = await app.inject({
        method: 'POST',
        url: '/v1/preflight',
        headers: bearer(key),
        payload: { user_id: org.users.bob },
      });
      expect(after.json()).toMatchObject({ allow: spent < limit });
      const sales = await app.inject({
        method: 'POST',
        url: '/v1/preflight',
        headers: bearer(key),
        payload: { user_id: org.users.dave },
      });
      expect(sales.json()).toMatchObject({ allow: true });
    },
  );

  it('an ingest response is only sent once preflight state includes the batch', async () => {
    const org = await seedOrg(ctx, 'read-your-writes');
    const key = await createKey(ctx, org.orgId, ['ingest']);
    await createBudget(ctx, org.orgId, ADMIN, { limit_tokens: 1_000, cap: 'hard' });
    const before = await app.inject({
      method: 'POST',
      url: '/v1/preflight',
      headers: bearer(key),
      payload: { user_id: org.users.dave, estimated_tokens: 0 },
    });
    expect(before.json().remaining_tokens).toBe(1_000);
    for (let i = 1; i <= 5; i++) {
      await ingestTokens(ctx, org.orgId, [{ userId: org.users.dave, tokens: 100 }]);
      const now = await app.inject({
        method: 'POST',
        url: '/v1/preflight',
        headers: bearer(key),
        payload: { user_id: org.users.dave, estimated_tokens: 0 },
      });
      expect(now.json().remaining_tokens).toBe(1_000 - i * 100);
    }
  });
});

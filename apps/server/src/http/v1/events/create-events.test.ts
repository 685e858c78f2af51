import { newEventId } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../context.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: SeededOrg;
let b: SeededOrg;
let ingestKey: string;
let readKey: string;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'events-a');
  b = await seedOrg(ctx, 'events-b');
  ingestKey = await createKey(ctx, a.orgId, ['ingest']);
  readKey = await createKey(ctx, a.orgId, ['read']);
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

const post = (events: unknown, key: string | null = ingestKey) =>
  app.inject({
    method: 'POST',
    url: '/v1/events',
    payload: { events },
    ...(key ? { headers: bearer(key) } : {}),
  });

const gatewayEvent = (overrides: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(),
  occurred_at: new Date(Date.now() - 60_000).toISOString(),
  user_email: 'bob@events-a.test',
  provider: 'openai',
  model: 'gpt-4o',
  input_tokens: 120,
  output_tokens: 30,
  ...overrides,
});

async function storedFor(orgId: string, ids: string[]) {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('events')
      .select(['id', 'org_id', 'user_id', 'token_method'])
      .where('id', 'in', ids)
      .execute(),
  );
}

describe('POST /v1/events', () => {
  it('stores reported usage once, however often it is resent', async () => {
    const batch = [
      gatewayEvent(),
      gatewayEvent({ user_email: undefined, user_id: a.users.dave, model: undefined }),
    ];
    const first = await post(batch);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect((await post(batch)).json()).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    const rows = await storedFor(
      a.orgId,
      batch.map((e) => e.id),
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.token_method === 'reported')).toBe(true);
  });

  it('keeps the good events of a partly bad request and reports the bad ones by index', async () => {
    const good = gatewayEvent();
    const result = await post([
      good,
      gatewayEvent({ input_tokens: -1 }),
      gatewayEvent({ occurred_at: new Date(Date.now() + 3_600_000).toISOString() }),
      gatewayEvent({ user_email: 'ghost@events-a.test' }),
      gatewayEvent({ personal: true }),
      42,
    ]);
    expect(result.statusCode).toBe(200);
    const body = result.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, 'invalid_count'],
      [2, 'future_timestamp'],
      [3, 'unknown_user'],
      [4, 'personal_event'],
      [5, 'invalid_event'],
    ]);
    expect(await storedFor(a.orgId, [good.id])).toHaveLength(1);
  });

  it('cannot attribute usage to a user of another org', async () => {
    const e = gatewayEvent({ user_email: undefined, user_id: b.users.bob });
    expect((await post([e])).json().rejected[0].code).toBe('unknown_user');
    expect(await storedFor(b.orgId, [e.id])).toHaveLength(0);
  });

  it('refuses more than 5,000 events with 413 and a body without events with 400', async () => {
    const many = Array.from({ length: 5001 }, () => gatewayEvent({ id: newEventId() }));
    const tooMany = await post(many);
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error.code).toBe('payload_too_large');
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: { nope: 1 },
      headers: bearer(ingestKey),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
  });

  it('needs a key with the ingest scope', async () => {
    expect((await post([gatewayEvent()], null)).statusCode).toBe(401);
    const forbidden = await post([gatewayEvent()], readKey);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('forbidden');
  });
});

import { newEventId } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { setOsUserMapping } from '../users/os-user-mappings.js';
import type { UsageBatchNotice } from './bus.js';
import { addCatalogueEntry } from './catalogue-entries.js';
import { ingestBatch } from './ingest.js';
import { createTestContext, type SeededOrg, seedOrg } from './testing.js';

let ctx: AppContext;
let handle: TestDatabase;
let a: SeededOrg;
let b: SeededOrg;
const cli = { type: 'cli', id: null } as const;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'ingest-a');
  b = await seedOrg(ctx, 'ingest-b');
});
afterAll(() => handle.drop());

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function agentEvent(overrides: Record<string, unknown> = {}) {
  return {
    id: newEventId(),
    occurred_at: minutesAgo(10),
    ended_at: minutesAgo(9),
    host: 'api.openai.com',
    transport: 'tcp',
    bytes_up: 6_000,
    bytes_down: 72_000,
    duration_ms: 60_000,
    source: 'agent',
    ...overrides,
  };
}

const device = (org: SeededOrg) => ({ type: 'device' as const, deviceId: org.deviceId });

async function countEvents(org: SeededOrg, ids?: string[]) {
  return ctx.db.withTenant(org.orgId, async ({ db }) => {
    let q = db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', org.orgId);
    if (ids) q = q.where('id', 'in', ids);
    return Number((await q.executeTakeFirstOrThrow()).n);
  });
}

async function rollupTotals(org: SeededOrg) {
  return ctx.db.withTenant(org.orgId, async ({ db }) => {
    const sum = async (table: 'usage_hourly' | 'usage_daily') =>
      db
        .selectFrom(table)
        .select((eb) => [
          eb.fn.coalesce(eb.fn.sum<number>('events'), eb.lit(0)).as('events'),
          eb.fn.coalesce(eb.fn.sum<number>('est_input_tokens'), eb.lit(0)).as('input'),
          eb.fn.coalesce(eb.fn.sum<number>('bytes_down'), eb.lit(0)).as('bytes_down'),
        ])
        .where('org_id', '=', org.orgId)
        .executeTakeFirstOrThrow();
    return { hourly: await sum('usage_hourly'), daily: await sum('usage_daily') };
  });
}

describe('ingestBatch', () => {
  it('stores a valid batch enriched, classified and estimated', async () => {
    const e = agentEvent();
    const result = await ingestBatch(ctx, a.orgId, device(a), [e]);
    expect(result).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const row = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('events').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow(),
    );
    expect(row).toMatchObject({
      user_id: a.users.alice, // the device owner
      department_id: a.departments.backend,
      manager_id: a.users.carol,
      provider: 'openai',
      product: 'api',
      category: 'llm-api',
      model: null,
      source: 'agent',
      est_input_tokens: 1050,
      est_output_tokens: 202,
      token_method: 'bytes:v1:openai/api',
    });
  });

  it('counts a resent batch once, in events and in rollups', async () => {
    const batch = [agentEvent(), agentEvent({ host: 'api.anthropic.com' }), agentEvent()];
    const before = await rollupTotals(a);
    expect(await ingestBatch(ctx, a.orgId, device(a), batch)).toEqual({
      accepted: 3,
      duplicates: 0,
      rejected: [],
    });
    const once = await rollupTotals(a);
    expect(await ingestBatch(ctx, a.orgId, device(a), batch)).toEqual({
      accepted: 0,
      duplicates: 3,
      rejected: [],
    });
    expect(await rollupTotals(a)).toEqual(once);
    expect(once.hourly.events - before.hourly.events).toBe(3);
    expect(once.daily).toEqual(once.hourly);
    // An id repeated inside one batch is a duplicate too.
    const e = agentEvent();
    expect(await ingestBatch(ctx, a.orgId, device(a), [e, e])).toEqual({
      accepted: 1,
      duplicates: 1,
      rejected: [],
    });
  });

  it('keeps the good events of a partly bad batch and names each bad one', async () => {
    const good1 = agentEvent();
    const good2 = agentEvent({ host: 'claude.ai', transport: 'quic' });
    const batch = [
      good1,
      { ...agentEvent(), id: 'not-a-uuid' },
      agentEvent({ host: 'example.org' }),
      good2,
      'garbage',
      agentEvent({ transport: 'sctp' }),
    ];
    const result = await ingestBatch(ctx, a.orgId, device(a), batch);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'invalid_event'],
      [2, 'unknown_host'],
      [4, 'invalid_event'],
      [5, 'invalid_event'],
    ]);
    expect(result.rejected[0]?.message).toMatch(/id: must be a UUIDv7/);
    expect(result.rejected[2]?.message).toMatch(/expected object/i);
    expect(await countEvents(a, [good1.id, good2.id])).toBe(2);
  });

  it('refuses far-future, ancient, negative and absurd values with clear codes', async () => {
    const batch = [
      agentEvent({ occurred_at: new Date(Date.now() + 10 * 60_000).toISOString() }),
      agentEvent({ occurred_at: new Date(Date.now() - 401 * 86_400_000).toISOString() }),
      agentEvent({ bytes_up: -5 }),
      agentEvent({ bytes_down: 2 ** 41 }),
      agentEvent({ duration_ms: 1.5 }),
      agentEvent({ occurred_at: minutesAgo(5), ended_at: minutesAgo(6) }),
      agentEvent({ occurred_at: 'yesterday' }),
      agentEvent({ occurred_at: new Date(Date.now() + 60_000).toISOString(), ended_at: null }), // skew ok
    ];
    const result = await ingestBatch(ctx, a.orgId, device(a), batch);
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => r.code)).toEqual([
      'future_timestamp',
      'ancient_timestamp',
      'invalid_count',
      'invalid_count',
      'invalid_count',
      'invalid_event',
      'invalid_event',
    ]);
    expect(result.rejected[0]?.message).toMatch(/more than 5 minutes ahead/);
    expect(result.rejected[2]?.message).toMatch(/bytes_up must not be negative/);
    expect(result.rejected[3]?.message).toMatch(/exceeds the maximum/);
  });

  it("refuses events older than the org's retention", async () => {
    await ctx.db.system(({ db }) =>
      db.updateTable('orgs').set({ retention_days: 30 }).where('id', '=', b.orgId).execute(),
    );
    const result = await ingestBatch(ctx, b.orgId, device(b), [
      agentEvent({ occurred_at: new Date(Date.now() - 31 * 86_400_000).toISOString(), ended_at: null }),
    ]);
    expect(result.rejected).toEqual([
      { index: 0, code: 'ancient_timestamp', message: expect.stringMatching(/30 days/) },
    ]);
    await ctx.db.system(({ db }) =>
      db.updateTable('orgs').set({ retention_days: 395 }).where('id', '=', b.orgId).execute(),
    );
  });

  it('refuses an oversized batch as a whole', async () => {
    const batch = Array.from({ length: 5001 }, () => agentEvent());
    await expect(ingestBatch(ctx, a.orgId, device(a), batch)).rejects.toMatchObject({
      code: 'payload_too_large',
    });
  });

  it('never writes personal-mode events, even malformed ones', async () => {
    const personal = agentEvent({ personal: true });
    const result = await ingestBatch(ctx, a.orgId, device(a), [
      personal,
      { personal: true, id: 'x' },
      agentEvent({ personal: false }),
    ]);
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [0, 'personal_event'],
      [1, 'personal_event'],
    ]);
    expect(await countEvents(a, [personal.id])).toBe(0);
  });

  it('attributes by OS user: the device mapping, then the org-wide one, then the owner', async () => {
    await setOsUserMapping(ctx.db, a.orgId, cli, { osUser: 'BOB', userId: a.users.bob });
    await setOsUserMapping(ctx.db, a.orgId, cli, { osUser: 'shared', userId: a.users.bob });
    await setOsUserMapping(ctx.db, a.orgId, cli, {
      osUser: 'shared',
      userId: a.users.dave,
      deviceId: a.deviceId,
    });
    const batch = [
      agentEvent({ os_user: 'bob' }),
      agentEvent({ os_user: 'Shared' }),
      agentEvent({ os_user: 'nobody' }),
    ];
    await ingestBatch(ctx, a.orgId, device(a), batch);
    const rows = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db
        .selectFrom('events')
        .select(['id', 'user_id', 'department_id', 'os_user'])
        .where(
          'id',
          'in',
          batch.map((e) => e.id),
        )
        .execute(),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(batch[0]?.id as string)).toMatchObject({
      user_id: a.users.bob,
      department_id: a.departments.platform,
    });
    expect(byId.get(batch[1]?.id as string)).toMatchObject({
      user_id: a.users.dave,
      department_id: a.departments.sales,
    });
    expect(byId.get(batch[2]?.id as string)).toMatchObject({ user_id: a.users.alice, os_user: 'nobody' });
  });

  it('charges an event whose OS user the agent could not learn to nobody, and takes exchange fields', async () => {
    const connection = newEventId();
    const batch = [
      agentEvent({ os_user_unknown: true, connection_id: connection, seq: 0 }),
      agentEvent({ connection_id: connection, seq: 1, os_user: 'nobody' }),
      agentEvent(), // an older agent: no flag, the owner fallback stays
    ];
    expect(await ingestBatch(ctx, a.orgId, device(a), batch)).toEqual({
      accepted: 3,
      duplicates: 0,
      rejected: [],
    });
    const rows = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db
        .selectFrom('events')
        .select(['id', 'user_id'])
        .where(
          'id',
          'in',
          batch.map((e) => e.id),
        )
        .execute(),
    );
    const userOf = new Map(rows.map((r) => [r.id, r.user_id]));
    expect(batch.map((e) => userOf.get(e.id))).toEqual([null, a.users.alice, a.users.alice]);
    const bad = await ingestBatch(ctx, a.orgId, device(a), [
      agentEvent({ connection_id: 'nope' }),
      agentEvent({ seq: -1 }),
    ]);
    expect(bad.rejected.map((r) => r.code)).toEqual(['invalid_event', 'invalid_event']);
  });

  it("classifies with the org's own catalogue entries, for that org only", async () => {
    await addCatalogueEntry(ctx.db, a.orgId, cli, {
      host: 'llm.corp.example',
      match: 'suffix',
      provider: 'corp-gateway',
      product: 'api',
      category: 'llm-api',
    });
    const e = agentEvent({ host: 'eu.llm.corp.example' });
    expect((await ingestBatch(ctx, a.orgId, device(a), [e])).accepted).toBe(1);
    const inB = await ingestBatch(ctx, b.orgId, device(b), [agentEvent({ host: 'eu.llm.corp.example' })]);
    expect(inB.rejected.map((r) => r.code)).toEqual(['unknown_host']);
  });

  it('takes API events with reported tokens as they are, and refuses unknown users', async () => {
    const origin = { type: 'api' as const, keyId: '00000000-0000-4000-8000-000000000001' };
    const reported = {
      id: crypto.randomUUID(),
      occurred_at: minutesAgo(3),
      user_email: 'BOB@ingest-a.test',
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      input_tokens: 1200,
      output_tokens: 300,
    };
    const estimated = {
      id: crypto.randomUUID(),
      occurred_at: minutesAgo(3),
      user_id: a.users.dave,
      provider: 'openai',
      bytes_up: 6000,
      bytes_down: 72000,
    };
    const stranger = {
      id: crypto.randomUUID(),
      occurred_at: minutesAgo(3),
      user_email: 'who@else.test',
      provider: 'openai',
    };
    const foreign = {
      id: crypto.randomUUID(),
      occurred_at: minutesAgo(3),
      user_id: b.users.bob,
      provider: 'openai',
    };
    const result = await ingestBatch(ctx, a.orgId, origin, [
      reported,
      estimated,
      stranger,
      foreign,
      { id: crypto.randomUUID(), occurred_at: minutesAgo(1), provider: 'openai' },
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [2, 'unknown_user'],
      [3, 'unknown_user'],
      [4, 'invalid_event'],
    ]);
    const rows = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db
        .selectFrom('events')
        .selectAll()
        .where('id', 'in', [reported.id, estimated.id])
        .orderBy('provider')
        .execute(),
    );
    expect(rows[0]).toMatchObject({
      source: 'api',
      user_id: a.users.bob,
      model: 'claude-sonnet-4',
      est_input_tokens: 1200,
      est_output_tokens: 300,
      token_method: 'reported',
      api_key_id: origin.keyId,
      device_id: null,
    });
    expect(rows[1]).toMatchObject({
      user_id: a.users.dave,
      est_input_tokens: 1050,
      token_method: 'bytes:v1:openai/api',
    });
  });

  it('publishes the committed totals to the org, and nothing for a batch of duplicates', async () => {
    const seen: UsageBatchNotice[] = [];
    const off = ctx.usageBus.subscribe(a.orgId, (n) => seen.push(n));
    const offB = ctx.usageBus.subscribe(b.orgId, () => {
      throw new Error('org B must not hear org A');
    });
    const batch = [agentEvent(), agentEvent({ os_user: 'bob' })];
    await ingestBatch(ctx, a.orgId, device(a), batch);
    await ingestBatch(ctx, a.orgId, device(a), batch);
    off();
    offB();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.totals).toEqual({
      events: 2,
      bytes_up: 12_000,
      bytes_down: 144_000,
      est_input_tokens: 2100,
      est_output_tokens: 404,
    });
    expect(seen[0]?.byUser.map((u) => u.user_id).sort()).toEqual([a.users.alice, a.users.bob].sort());
    expect(seen[0]?.events.map((e) => e.id).sort()).toEqual(batch.map((e) => e.id).sort());
  });

  it('refuses a device of another org (the org comes from the credential)', async () => {
    await expect(ingestBatch(ctx, a.orgId, device(b), [agentEvent()])).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(ingestBatch(ctx, 'not-an-org', device(a), [agentEvent()])).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('counts outcomes in /metrics', async () => {
    const text = await ctx.metrics.metrics();
    expect(text).toMatch(/toktra_ingest_events_total\{origin="device",outcome="accepted",code=""\} \d+/);
    expect(text).toMatch(
      /toktra_ingest_events_total\{origin="device",outcome="rejected",code="personal_event"\} 2/,
    );
    expect(text).toMatch(/toktra_ingest_batch_seconds_count\{origin="api"\} \d+/);
  });
});

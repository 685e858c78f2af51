import { newEventId } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { ingestBatch } from '../usage/ingest.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { pause, resume, saveSchedule } from './service.js';

let ctx: AppContext;
let handle: TestDatabase;
let org: SeededOrg;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  org = await seedOrg(ctx, 'backstop');
  await ctx.db.withTenant(org.orgId, ({ db }) =>
    db
      .insertInto('os_user_mappings')
      .values({ org_id: org.orgId, device_id: org.deviceId, os_user: 'bob', user_id: org.users.bob })
      .execute(),
  );
});
afterAll(async () => {
  await handle.drop();
});

const event = (at: Date, osUser?: string) => ({
  id: newEventId(),
  occurred_at: at.toISOString(),
  ended_at: new Date(at.getTime() + 2000).toISOString(),
  host: 'api.openai.com',
  transport: 'tcp',
  bytes_up: 4000,
  bytes_down: 40_000,
  duration_ms: 2000,
  source: 'agent',
  ...(osUser ? { os_user: osUser } : {}),
});

const hhmm = (d: Date) => d.toISOString().slice(11, 16);

describe('the server backstop behind the device', () => {
  it('does not store a device’s events of a person during their portal Privacy Hours; others are stored', async () => {
    const device = { type: 'device' as const, deviceId: org.deviceId };
    await pause(ctx.db, org.orgId, org.users.alice);
    const now = new Date(Date.now() - 60_000);
    // alice owns the device: unmapped accounts are hers. bob is mapped.
    const paused = await ingestBatch(ctx, org.orgId, device, [
      event(now),
      event(now, 'alice'),
      event(now, 'bob'),
    ]);
    expect(paused).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });

    // A schedule window covers an event's own time, whenever it arrives (a queue drained late).
    await resume(ctx.db, org.orgId, org.users.alice);
    const inWindow = new Date(Date.now() - 3 * 3600_000);
    const outside = new Date(Date.now() - 90 * 60_000);
    await saveSchedule(ctx.db, org.orgId, org.users.alice, {
      timeZone: 'UTC',
      windows: [
        {
          days: [],
          start: hhmm(new Date(inWindow.getTime() - 10 * 60_000)),
          end: hhmm(new Date(inWindow.getTime() + 10 * 60_000)),
        },
      ],
    });
    const scheduled = await ingestBatch(ctx, org.orgId, device, [event(inWindow), event(outside)]);
    expect(scheduled.accepted).toBe(1);
    const stored = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('events').select(['user_id', 'occurred_at']).orderBy('occurred_at').execute(),
    );
    expect(stored.map((r) => r.user_id)).toEqual([org.users.alice, org.users.bob]);
    expect(stored[0]?.occurred_at.toISOString()).toBe(outside.toISOString());
  });
});

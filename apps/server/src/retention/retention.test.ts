import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { jobDefinitions, recurringJobs } from '../jobs/registry.js';
import { JobRunner } from '../jobs/runner.js';
import { ingestBatch } from '../usage/ingest.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { dayInZone } from '../usage/time-zone.js';
import { enforceRetention, retentionCutoffs, setRetention } from './service.js';

const ZONE = 'Asia/Kolkata'; // +05:30: org-local days do not start on UTC hours
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let ctx: AppContext;
let handle: TestDatabase;
let a: SeededOrg;
let b: SeededOrg;
let base: number;

/** An API event (tokens reported) at `at`. */
const event = (at: number, user: string) => ({
  id: crypto.randomUUID(),
  occurred_at: new Date(at).toISOString(),
  user_id: user,
  provider: 'openai',
  input_tokens: 100,
  output_tokens: 10,
});

async function snapshot(orgId: string) {
  return ctx.db.withTenant(orgId, async ({ db }) => ({
    events: (await db.selectFrom('events').select('occurred_at').where('org_id', '=', orgId).execute()).map(
      (r) => r.occurred_at.getTime(),
    ),
    hourly: (await db.selectFrom('usage_hourly').select('bucket').where('org_id', '=', orgId).execute()).map(
      (r) => r.bucket.getTime(),
    ),
    daily: (
      await db
        .selectFrom('usage_daily')
        .select((eb) => eb.cast<string>('bucket', 'text').as('bucket'))
        .where('org_id', '=', orgId)
        .execute()
    ).map((r) => r.bucket),
    extension: (
      await db.selectFrom('extension_requests').select('started_at').where('org_id', '=', orgId).execute()
    ).map((r) => r.started_at.getTime()),
  }));
}

/** Browser-extension request records of one person at `times` (the extension's usage log). */
async function seedExtensionRequests(org: SeededOrg, times: number[]) {
  await ctx.db.withTenant(org.orgId, async ({ db }) => {
    const browser = await db
      .insertInto('extension_browsers')
      .values({
        org_id: org.orgId,
        user_id: org.users.alice,
        token_hash: `retention-${org.orgId}`,
        enrolled_via: 'sign_in',
        name: 'Chrome',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('extension_requests')
      .values(
        times.map((t) => ({
          org_id: org.orgId,
          id: crypto.randomUUID(),
          browser_id: browser.id,
          user_id: org.users.alice,
          host: 'api.openai.com',
          provider: 'openai',
          path_class: 'chat',
          method: 'POST',
          started_at: new Date(t),
          bytes_up: 100,
          bytes_down: 1000,
          est_input_tokens: 10,
          est_output_tokens: 100,
          counted_bytes_up: 0,
          counted_bytes_down: 0,
          counted_input_tokens: 0,
          counted_output_tokens: 0,
        })),
      )
      .execute();
  });
}

const sorted = <T>(values: T[]) => [...values].sort();

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'retention-a', ZONE);
  b = await seedOrg(ctx, 'retention-b');
  base = Math.floor((Date.now() - 10 * DAY) / HOUR) * HOUR;
  const times = [
    base - 3 * DAY,
    base - DAY - 5 * HOUR,
    base - 2 * HOUR,
    base,
    base + 30 * 60_000 - 1,
    base + 30 * 60_000, // exactly the cutoff below: kept
    base + 31 * 60_000,
    base + 2 * HOUR,
    base + 2 * DAY,
  ];
  for (const org of [a, b]) {
    const events = times.flatMap((t) => [event(t, org.users.alice), event(t, org.users.bob)]);
    const result = await ingestBatch(ctx, org.orgId, { type: 'api', keyId: crypto.randomUUID() }, events);
    expect(result.accepted).toBe(events.length);
    await seedExtensionRequests(org, times);
  }
}, 60_000);
afterAll(() => handle.drop());

describe('retention', () => {
  it('deletes exactly the expired events and the rollup buckets wholly before the cutoff', async () => {
    await setRetention(ctx.db, a.orgId, { type: 'system', id: null }, 30);
    // The clock: 30 days and 30 minutes after `base`, so the cutoff is base + 30 min.
    const now = new Date(base + 30 * DAY + 30 * 60_000);
    const { cutoff, lastHour, firstKeptDay } = retentionCutoffs(now, 30, ZONE);
    expect(cutoff.getTime()).toBe(base + 30 * 60_000);
    const before = await snapshot(a.orgId);
    const untouched = await snapshot(b.orgId);

    const result = await enforceRetention(ctx.db, now, 3); // tiny batches: many short transactions
    const after = await snapshot(a.orgId);
    expect(sorted(after.events)).toEqual(sorted(before.events.filter((t) => t >= cutoff.getTime())));
    expect(sorted(after.hourly)).toEqual(sorted(before.hourly.filter((t) => t > lastHour.getTime())));
    expect(sorted(after.daily)).toEqual(sorted(before.daily.filter((d) => d >= firstKeptDay)));
    expect(sorted(after.extension)).toEqual(sorted(before.extension.filter((t) => t >= cutoff.getTime())));
    expect(result.extension_requests).toBe(5);
    expect(result.events).toBe(before.events.length - after.events.length);
    expect(result.events).toBe(10); // 5 instants before the cutoff × 2 people
    // The hour that holds the cutoff stays whole; the day of the cutoff (org-local) too.
    expect(after.hourly).toContain(base);
    expect(after.daily).toContain(dayInZone(cutoff, ZONE));
    // Another org keeps its own (default) retention: nothing of it is expired.
    expect(await snapshot(b.orgId)).toEqual(untouched);
    // Running again deletes nothing more.
    expect(await enforceRetention(ctx.db, now, 3)).toMatchObject({
      events: 0,
      usage_hourly: 0,
      usage_daily: 0,
      extension_requests: 0,
    });
  });

  it('is registered as an hourly job and runs through the job runner', async () => {
    expect(recurringJobs.some((r) => r.job.name === 'retention.enforce' && r.everyMs === HOUR)).toBe(true);
    await setRetention(ctx.db, b.orgId, { type: 'system', id: null }, 9);
    const runner = new JobRunner(
      ctx,
      jobDefinitions,
      recurringJobs.filter((r) => r.job.name === 'retention.enforce'),
    );
    await runner.runOnce();
    const left = await snapshot(b.orgId);
    expect(left.events.every((t) => t >= Date.now() - 9 * DAY - 60_000)).toBe(true);
    expect(left.events.length).toBe(2); // only base + 2 days is within the last 9 days
  });
});

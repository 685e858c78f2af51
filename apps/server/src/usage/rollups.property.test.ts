import { newEventId } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { setOsUserMapping } from '../users/os-user-mappings.js';
import { ingestBatch } from './ingest.js';
import { createTestContext, seedOrg } from './testing.js';

let ctx: AppContext;
let handle: TestDatabase;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
});
afterAll(() => handle.drop());

// A +05:30 zone: local midnight falls at 18:30 UTC, inside an hour bucket, which is exactly where
// a day-of-hour shortcut would go wrong.
const ZONE = 'Asia/Kolkata';
const HOSTS = [
  'api.openai.com',
  'api.anthropic.com',
  'claude.ai',
  'chatgpt.com',
  'example.org',
  'api.mistral.ai',
];
const DAY = 86_400_000;

const rawEvent = fc.record({
  host: fc.constantFrom(...HOSTS),
  osUser: fc.constantFrom(null, 'bob', 'dave', 'nobody'),
  // Within the last three days, to the millisecond: crosses local and UTC midnights.
  ageMs: fc.integer({ min: 60_000, max: 3 * DAY }),
  bytesUp: fc.integer({ min: 0, max: 200_000 }),
  bytesDown: fc.integer({ min: 0, max: 2_000_000 }),
  transport: fc.constantFrom('tcp', 'quic'),
  model: fc.constantFrom(undefined, 'gpt-4o'),
  personal: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const batchPlan = fc.record({
  fresh: fc.array(rawEvent, { minLength: 1, maxLength: 25 }),
  // How many earlier events to resend inside this batch (retries after a lost acknowledgement).
  resend: fc.integer({ min: 0, max: 10 }),
});

type Sums = Record<string, number | string | null>;

async function recomputed(orgId: string) {
  return ctx.db.withTenant(orgId, async ({ db }) => {
    const sums =
      sql.raw(`count(*)::bigint AS events, sum(bytes_up)::bigint AS bytes_up, sum(bytes_down)::bigint AS bytes_down,
      sum(coalesce(duration_ms, 0))::bigint AS duration_ms, sum(est_input_tokens)::bigint AS est_input_tokens,
      sum(est_output_tokens)::bigint AS est_output_tokens`);
    const keys = sql.raw('user_id, department_id, provider, model, category, source');
    const hourly =
      await sql<Sums>`SELECT to_char(date_trunc('hour', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24') AS bucket,
      ${keys}, ${sums} FROM events WHERE org_id = ${orgId} GROUP BY 1, ${keys}`.execute(db);
    const daily = await sql<Sums>`SELECT ((occurred_at AT TIME ZONE ${ZONE})::date)::text AS bucket,
      ${keys}, ${sums} FROM events WHERE org_id = ${orgId} GROUP BY 1, ${keys}`.execute(db);
    return { hourly: sortRows(hourly.rows), daily: sortRows(daily.rows) };
  });
}

async function stored(orgId: string) {
  return ctx.db.withTenant(orgId, async ({ db }) => {
    const cols =
      sql.raw(`user_id, department_id, provider, model, category, source, events, bytes_up, bytes_down,
      duration_ms, est_input_tokens, est_output_tokens`);
    const hourly =
      await sql<Sums>`SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS bucket, ${cols}
      FROM usage_hourly WHERE org_id = ${orgId}`.execute(db);
    const daily =
      await sql<Sums>`SELECT bucket::text AS bucket, ${cols} FROM usage_daily WHERE org_id = ${orgId}`.execute(
        db,
      );
    return { hourly: sortRows(hourly.rows), daily: sortRows(daily.rows) };
  });
}

/** The dashboard's read models (per org, per person) as stored, and as recomputed from the events. */
async function readModels(orgId: string) {
  return ctx.db.withTenant(orgId, async ({ db }) => {
    const sums = sql.raw(
      'events::float8 AS events, est_input_tokens::float8 AS i, est_output_tokens::float8 AS o, bytes_up::float8 AS up',
    );
    const raw = sql.raw(
      'count(*)::float8 AS events, sum(est_input_tokens)::float8 AS i, sum(est_output_tokens)::float8 AS o, sum(bytes_up)::float8 AS up',
    );
    const day = sql`((occurred_at AT TIME ZONE ${ZONE})::date)::text`;
    const q = async (query: ReturnType<typeof sql>) =>
      (await query.execute(db)).rows.map((r) => JSON.stringify(r)).sort();
    return {
      org: await q(
        sql`SELECT bucket::text AS b, provider, model, category, source, ${sums} FROM usage_daily_org WHERE org_id = ${orgId}`,
      ),
      orgFromEvents: await q(
        sql`SELECT ${day} AS b, provider, model, category, source, ${raw} FROM events WHERE org_id = ${orgId} GROUP BY 1, 2, 3, 4, 5`,
      ),
      people: await q(
        sql`SELECT bucket::text AS b, user_id, department_id, ${sums} FROM usage_daily_people WHERE org_id = ${orgId}`,
      ),
      peopleFromEvents: await q(
        sql`SELECT ${day} AS b, user_id, department_id, ${raw} FROM events WHERE org_id = ${orgId} GROUP BY 1, 2, 3`,
      ),
    };
  });
}

function sortRows(rows: Sums[]): Sums[] {
  const key = (r: Sums) =>
    [r.bucket, r.user_id, r.department_id, r.provider, r.model, r.category, r.source].join('|');
  return rows.map((r) => ({ ...r })).sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}

describe('rollups', () => {
  it('equal a recomputation from raw events after random batches with resends', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(batchPlan, { minLength: 20, maxLength: 20 }), async (plans) => {
        const org = await seedOrg(ctx, `prop-${run++}`, ZONE);
        await setOsUserMapping(
          ctx.db,
          org.orgId,
          { type: 'cli', id: null },
          { osUser: 'bob', userId: org.users.bob },
        );
        await setOsUserMapping(
          ctx.db,
          org.orgId,
          { type: 'cli', id: null },
          {
            osUser: 'dave',
            userId: org.users.dave,
            deviceId: org.deviceId,
          },
        );
        const sent: Array<Record<string, unknown>> = [];
        const acceptedIds = new Set<string>();
        for (const plan of plans) {
          const now = Date.now();
          const fresh = plan.fresh.map((e) => ({
            id: newEventId(),
            occurred_at: new Date(now - e.ageMs).toISOString(),
            host: e.host,
            transport: e.transport,
            bytes_up: e.bytesUp,
            bytes_down: e.bytesDown,
            duration_ms: Math.floor(e.ageMs / 1000),
            source: 'agent',
            ...(e.osUser ? { os_user: e.osUser } : {}),
            ...(e.model ? { model: e.model } : {}),
            ...(e.personal ? { personal: true } : {}),
          }));
          const resent = sent.slice(Math.max(0, sent.length - plan.resend));
          const batch = [...resent, ...fresh];
          const result = await ingestBatch(ctx, org.orgId, { type: 'device', deviceId: org.deviceId }, batch);
          expect(result.accepted + result.duplicates + result.rejected.length).toBe(batch.length);
          for (const r of result.rejected) expect(['unknown_host', 'personal_event']).toContain(r.code);
          const storable = fresh.filter((e) => !e.personal && e.host !== 'example.org');
          expect(result.accepted).toBe(storable.length);
          for (const e of storable) acceptedIds.add(e.id);
          sent.push(...fresh);
        }
        const actual = await stored(org.orgId);
        const expected = await recomputed(org.orgId);
        expect(actual.hourly).toEqual(expected.hourly);
        expect(actual.daily).toEqual(expected.daily);
        const models = await readModels(org.orgId);
        expect(models.org).toEqual(models.orgFromEvents);
        expect(models.people).toEqual(models.peopleFromEvents);
        expect(models.org.length).toBeGreaterThan(0);
        const total = expected.hourly.reduce((n, r) => n + Number(r.events), 0);
        expect(total).toBe(acceptedIds.size);
      }),
      { numRuns: 3 },
    );
  }, 120_000);
});

import type { TestDatabase } from '@toktra/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlert } from '../alerts/service.js';
import { createBudget } from '../budgets/service.js';
import { ADMIN, ingestTokens } from '../budgets/testing.js';
import { resolveConfig } from '../config.js';
import { type AppContext, createContext } from '../context.js';
import { drainJobs, startWebhookReceiver } from '../delivery/testing.js';
import { createEndpoint } from '../delivery/webhooks.js';
import { preflight } from '../preflight/service.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { runHandlers } from './handlers.js';
import type { DomainEvent, EventKind } from './kinds.js';
import { emitEvent } from './outbox.js';

let ctx: AppContext;
/** A second "server process" on the same database: its own feed, caches and preflight state. */
let other: AppContext;
let handle: TestDatabase;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  ({ ctx, handle } = await createTestContext({ allowPrivateUrls: true }));
  other = createContext(resolveConfig({ logLevel: 'silent', allowPrivateUrls: true }, {}), handle.db);
  await ctx.events.start();
  await other.events.start();
});
afterAll(async () => {
  await other.events.stop();
  await ctx.events.stop();
  await ctx.preflight.idle();
  await other.preflight.idle();
  await receiver.close();
  await handle.drop();
});

async function outboxOf(orgId: string) {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db.selectFrom('domain_events').select(['id', 'kind']).where('org_id', '=', orgId).orderBy('id').execute(),
  );
}

async function queuedDispatches(orgId: string): Promise<number> {
  const rows = await ctx.db.system(({ db }) =>
    db
      .selectFrom('jobs')
      .select('id')
      .where('org_id', '=', orgId)
      .where('name', '=', 'events.dispatch')
      .where('status', '=', 'queued')
      .execute(),
  );
  return rows.length;
}

/** Resolves with the first event of `kind` for the org that `feed` hears, or rejects after `ms`. */
function nextEvent<K extends EventKind>(
  on: AppContext,
  kind: K,
  orgId: string,
  ms: number,
): Promise<{ event: DomainEvent<K>; local: boolean; at: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${kind} within ${ms} ms`));
    }, ms);
    const off = on.events.on(kind, (event, local) => {
      if (event.orgId !== orgId) return;
      clearTimeout(timer);
      off();
      resolve({ event, local, at: Date.now() });
    });
  });
}

describe('the outbox', () => {
  let org: SeededOrg;
  beforeAll(async () => {
    org = await seedOrg(ctx, 'outbox');
  });

  it('writes an event, its dispatch job and its notice only if the transaction commits', async () => {
    const heard: string[] = [];
    const off = ctx.events.on('alert.created', (e) => heard.push(e.payload.title));
    await expect(
      ctx.db.withTenant(org.orgId, async (tx) => {
        await createAlert(ctx, tx, org.orgId, { severity: 'low', title: 'rolled back', source: 'test' });
        expect(heard).toEqual([]); // not before commit
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await outboxOf(org.orgId)).toEqual([]);
    expect(await queuedDispatches(org.orgId)).toBe(0);
    expect(heard).toEqual([]);
    await ctx.db.withTenant(org.orgId, (tx) =>
      createAlert(ctx, tx, org.orgId, { severity: 'low', title: 'kept', source: 'test' }),
    );
    off();
    expect(heard).toEqual(['kept']);
    expect((await outboxOf(org.orgId)).map((r) => r.kind)).toEqual(['alert.created']);
    expect(await queuedDispatches(org.orgId)).toBe(1);
  });

  it('a redelivered event sends nothing twice: one webhook message per endpoint and alert', async () => {
    await drainJobs(ctx); // earlier alerts went out before the endpoint existed
    const endpoint = await createEndpoint(ctx, org.orgId, ADMIN, {
      url: receiver.url,
      event_types: ['alert.created'],
    });
    receiver.setSecret(endpoint.secret);
    const event = await ctx.db.withTenant(org.orgId, async (tx) => {
      await createAlert(ctx, tx, org.orgId, { severity: 'high', title: 'once', source: 'test' });
      const [row] = await tx.db
        .selectFrom('domain_events')
        .select('id')
        .where('org_id', '=', org.orgId)
        .orderBy('id', 'desc')
        .limit(1)
        .execute();
      return row;
    });
    const before = receiver.received.length;
    // The job, then a redelivery of the same job, then the handlers directly (a second worker).
    await drainJobs(ctx);
    await drainJobs(ctx);
    const loaded = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db
        .selectFrom('domain_events')
        .selectAll()
        .where('id', '=', Number(event?.id))
        .executeTakeFirstOrThrow(),
    );
    await runHandlers(
      ctx,
      {
        id: Number(loaded.id),
        orgId: org.orgId,
        kind: 'alert.created',
        payload: loaded.payload as never,
        origin: '',
      },
      ctx.events.handlersFor('alert.created'),
    );
    await drainJobs(ctx);
    const sent = receiver.received
      .slice(before)
      .map((r) => (r.verified as { data: { alert: { title: string } } }).data.alert.title);
    expect(sent).toEqual(['once']);
    const deliveries = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db
        .selectFrom('webhook_deliveries')
        .select('event_key')
        .where('endpoint_id', '=', endpoint.id)
        .execute(),
    );
    expect(deliveries).toHaveLength(1);
  });

  it('a handler whose run failed is retried; the ones that succeeded are not repeated', async () => {
    let calls = 0;
    let failNext = true;
    const flaky = {
      name: 'test.flaky',
      kinds: ['budget.changed'] as const,
      async run() {
        calls++;
        if (failNext) {
          failNext = false;
          throw new Error('transient');
        }
      },
    };
    let steady = 0;
    const ok = { name: 'test.steady', kinds: ['budget.changed'] as const, run: async () => void steady++ };
    const event = await ctx.db.withTenant(org.orgId, (tx) =>
      emitEvent(ctx, tx, org.orgId, 'budget.changed', { what: 'budget' }),
    );
    await expect(runHandlers(ctx, event, [ok, flaky])).rejects.toThrow('transient');
    await runHandlers(ctx, event, [ok, flaky]);
    await runHandlers(ctx, event, [ok, flaky]);
    expect({ steady, calls }).toEqual({ steady: 1, calls: 2 });
  });
});

describe('one truth across processes', () => {
  let org: SeededOrg;
  beforeAll(async () => {
    org = await seedOrg(ctx, 'twonodes');
  });

  it('a budget created and usage over its hard cap in one process are denied by the other within 1 s', async () => {
    // The other process has served this org before: its state is loaded and must be kept current.
    expect((await preflight(other, org.orgId, { user_id: org.users.bob })).allow).toBe(true);
    const heard = nextEvent(other, 'budget.changed', org.orgId, 1000);
    const started = Date.now();
    await createBudget(ctx, org.orgId, ADMIN, { limit_tokens: 1000, cap: 'hard' });
    const changed = await heard;
    expect(changed.local).toBe(false);
    expect(changed.at - started).toBeLessThan(1000);
    await other.preflight.idle();
    expect((await preflight(other, org.orgId, { user_id: org.users.bob })).allow).toBe(true);
    const usage = nextEvent(other, 'usage.committed', org.orgId, 1000);
    const spent = Date.now();
    await ingestTokens(ctx, org.orgId, [{ userId: org.users.alice, tokens: 1500 }]);
    await usage;
    const answer = await preflight(other, org.orgId, { user_id: org.users.bob });
    expect(Date.now() - spent).toBeLessThan(1000);
    expect(answer).toMatchObject({ allow: false, code: 'hard_cap' });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'a process whose LISTEN connection dropped catches up from the outbox after reconnecting',
    async () => {
      // Kill the other process's LISTEN connection, then write while it is down.
      await ctx.db.system(({ db }) =>
        sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`.execute(
          db,
        ),
      );
      const heard = nextEvent(other, 'device.revoked', org.orgId, 4000);
      await ctx.db.withTenant(org.orgId, (tx) =>
        emitEvent(ctx, tx, org.orgId, 'device.revoked', { deviceId: org.deviceId }),
      );
      expect((await heard).local).toBe(false);
    },
  );
});

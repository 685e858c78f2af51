import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { ingestBatch } from '../usage/ingest.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { type ExtensionPrincipal, enrollBrowser } from './browsers.js';
import { ingestExtensionBatch } from './ingest.js';
import { agentConnection, deviceOf, extensionRequest } from './testing.js';

let ctx: AppContext;
let handle: TestDatabase;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
});
afterAll(async () => {
  await handle.drop();
});

let orgCount = 0;
/** A fresh org with a browser enrolled for alice, who also owns the org's agent device. */
async function orgWithBrowser(): Promise<{ org: SeededOrg; browser: ExtensionPrincipal }> {
  const org = await seedOrg(ctx, `dedupe-${++orgCount}`);
  const { browserId } = await enrollBrowser(ctx.db, org.orgId, org.users.alice, {
    via: 'sign_in',
    name: 't',
  });
  return { org, browser: { browserId, orgId: org.orgId, userId: org.users.alice } };
}

async function totals(orgId: string) {
  return ctx.db.withTenant(orgId, async ({ db }) => {
    const events = await db
      .selectFrom('events')
      .select((eb) => [
        eb.fn.sum<string>('est_input_tokens').as('input'),
        eb.fn.sum<string>('est_output_tokens').as('output'),
        eb.fn.sum<string>('bytes_down').as('down'),
      ])
      .executeTakeFirstOrThrow();
    const daily = await db
      .selectFrom('usage_daily')
      .select(['model', (eb) => eb.fn.sum<string>('est_output_tokens').as('output')])
      .groupBy('model')
      .execute();
    return {
      input: Number(events.input ?? 0),
      output: Number(events.output ?? 0),
      bytesDown: Number(events.down ?? 0),
      // A re-keyed rollup row can stay behind with zero sums; it holds nothing.
      byModel: Object.fromEntries(
        daily.filter((d) => Number(d.output) !== 0).map((d) => [d.model ?? 'none', Number(d.output)]),
      ),
    };
  });
}

const at = new Date(Date.now() - 10 * 60_000);
const inside = (offsetMs: number, o: Record<string, unknown> = {}) =>
  extensionRequest({ started_at: new Date(at.getTime() + offsetMs).toISOString(), ...o });

describe('extension ↔ agent dedupe', () => {
  it('counts a connection seen by both once, in either order of arrival, with the model named', async () => {
    const agent = agentConnection(at);
    const requests = [inside(500), inside(2_500, { bytes_up: 500, bytes_down: 1_200 })];

    const alone = await orgWithBrowser();
    await ingestBatch(ctx, alone.org.orgId, deviceOf(alone.org), [agent]);
    const agentOnly = await totals(alone.org.orgId);
    expect(agentOnly.output).toBeGreaterThan(0);

    const extFirst = await orgWithBrowser();
    const r1 = await ingestExtensionBatch(ctx, extFirst.browser, requests);
    expect(r1).toMatchObject({ accepted: 2, enriched: 0 });
    await ingestBatch(ctx, extFirst.org.orgId, deviceOf(extFirst.org), [agent]);

    const agentFirst = await orgWithBrowser();
    await ingestBatch(ctx, agentFirst.org.orgId, deviceOf(agentFirst.org), [agent]);
    const r2 = await ingestExtensionBatch(ctx, agentFirst.browser, requests);
    expect(r2).toMatchObject({ accepted: 2, enriched: 2 });

    for (const org of [extFirst, agentFirst]) {
      const t = await totals(org.org.orgId);
      expect({ input: t.input, output: t.output, bytesDown: t.bytesDown }).toEqual({
        input: agentOnly.input,
        output: agentOnly.output,
        bytesDown: agentOnly.bytesDown,
      });
      // All of it is attributed to the model the extension saw; none is left without a model.
      expect(t.byModel).toEqual({ 'gpt-4o-mini': agentOnly.output });
      const agentRow = await ctx.db.withTenant(org.org.orgId, ({ db }) =>
        db.selectFrom('events').select('model').where('id', '=', agent.id).executeTakeFirstOrThrow(),
      );
      expect(agentRow.model).toBe('gpt-4o-mini');
      const links = await ctx.db.withTenant(org.org.orgId, ({ db }) =>
        db.selectFrom('extension_requests').select('agent_event_id').execute(),
      );
      expect(links.map((l) => l.agent_event_id)).toEqual([agent.id, agent.id]);
    }
  });

  it('counts max(agent, Σ extension) when the extension saw more, in both orders', async () => {
    const agent = agentConnection(at, { bytes_up: 300, bytes_down: 900 });
    const big = [inside(1_000, { bytes_up: 20_000, bytes_down: 90_000 })];
    const x = await orgWithBrowser();
    await ingestExtensionBatch(ctx, x.browser, big);
    await ingestBatch(ctx, x.org.orgId, deviceOf(x.org), [agent]);
    const y = await orgWithBrowser();
    await ingestBatch(ctx, y.org.orgId, deviceOf(y.org), [agent]);
    await ingestExtensionBatch(ctx, y.browser, big);
    const tx = await totals(x.org.orgId);
    const ty = await totals(y.org.orgId);
    expect(tx).toEqual(ty);
    expect(tx.bytesDown).toBe(90_000);
  });

  it('counts both when they do not overlap (another host, or outside the window)', async () => {
    const agent = agentConnection(at);
    const o = await orgWithBrowser();
    await ingestBatch(ctx, o.org.orgId, deviceOf(o.org), [agent]);
    const agentOnly = await totals(o.org.orgId);
    const r = await ingestExtensionBatch(ctx, o.browser, [
      inside(60_000),
      inside(1_000, { host: 'api.anthropic.com', model: 'claude-3-5-haiku' }),
    ]);
    expect(r).toMatchObject({ accepted: 2, enriched: 0 });
    const after = await totals(o.org.orgId);
    expect(after.output).toBeGreaterThan(agentOnly.output);
    expect(after.byModel.none).toBe(agentOnly.output);
  });

  it('does not dedupe against another person’s agent events', async () => {
    const o = await orgWithBrowser();
    await ingestBatch(ctx, o.org.orgId, deviceOf(o.org), [agentConnection(at)]);
    const bobBrowser = await enrollBrowser(ctx.db, o.org.orgId, o.org.users.bob, {
      via: 'sign_in',
      name: 'b',
    });
    const r = await ingestExtensionBatch(
      ctx,
      { browserId: bobBrowser.browserId, orgId: o.org.orgId, userId: o.org.users.bob },
      [inside(500)],
    );
    expect(r).toMatchObject({ accepted: 1, enriched: 0 });
  });
});

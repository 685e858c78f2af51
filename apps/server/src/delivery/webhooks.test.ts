import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { listDeliveries, replayDelivery } from './deliveries.js';
import { postJson } from './http-post.js';
import { assertDeliverableUrl, isPublicAddress } from './ssrf.js';
import { drainJobs, startWebhookReceiver } from './testing.js';
import { MAX_DELIVERY_ATTEMPTS, RETRY_DELAYS_MS } from './webhook-schedule.js';
import { createEndpoint, enqueueWebhookEvent, getEndpoint } from './webhooks.js';

let ctx: AppContext;
let handle: TestDatabase;
let org: SeededOrg;
const ADMIN = { type: 'cli', id: null } as const;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext({ allowPrivateUrls: true }));
  org = await seedOrg(ctx, 'hooks');
});
afterAll(() => handle.drop());

async function send(endpointId: string, data: Record<string, unknown>): Promise<string> {
  const ids = await ctx.db.withTenant(org.orgId, (tx) =>
    enqueueWebhookEvent(tx, org.orgId, 'policy.fired', data, { endpointId }),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

async function deliveryRow(id: string) {
  return ctx.db.withTenant(org.orgId, ({ db }) =>
    db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  );
}

describe('outgoing webhooks', () => {
  it('delivers a Standard Webhooks signed POST that the receiver verifies', async () => {
    const receiver = await startWebhookReceiver();
    const endpoint = await createEndpoint(ctx, org.orgId, ADMIN, { url: receiver.url });
    expect(endpoint.secret).toMatch(/^whsec_/);
    receiver.setSecret(endpoint.secret);
    const id = await send(endpoint.id, { hello: 'world' });
    await drainJobs(ctx);
    expect(receiver.received).toHaveLength(1);
    const [hit] = receiver.received;
    expect(hit?.error).toBeNull();
    expect(hit?.headers['webhook-id']).toBe(id);
    expect(hit?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(hit?.verified).toMatchObject({ type: 'policy.fired', data: { hello: 'world' } });
    const row = await deliveryRow(id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    // A tampered body fails verification at the receiver.
    receiver.setSecret(`whsec_${Buffer.from('another secret of 24 bytes!').toString('base64')}`);
    await send(endpoint.id, { n: 2 });
    await drainJobs(ctx);
    expect(receiver.received[1]?.error).toMatch(/No matching signature/i);
    await receiver.close();
  });

  it('retries a failing receiver on the backoff schedule, dead-letters it, then replays it', async () => {
    let failing = true;
    const receiver = await startWebhookReceiver(() => (failing ? 500 : 204));
    const endpoint = await createEndpoint(ctx, org.orgId, ADMIN, { url: receiver.url });
    receiver.setSecret(endpoint.secret);
    const id = await send(endpoint.id, { try: 'hard' });
    let clock = new Date();
    await drainJobs(ctx, clock);
    let previous = clock;
    for (let attempt = 1; attempt < MAX_DELIVERY_ATTEMPTS; attempt++) {
      const row = await deliveryRow(id);
      expect(row.status).toBe('pending');
      expect(row.attempts).toBe(attempt);
      const next = row.next_attempt_at as Date;
      // The delay follows the Standard Webhooks table (±10% jitter).
      const delay = next.getTime() - previous.getTime();
      const base = RETRY_DELAYS_MS[attempt - 1] as number;
      expect(delay).toBeGreaterThanOrEqual(base * 0.9 - 5_000);
      expect(delay).toBeLessThanOrEqual(base * 1.1 + 5_000);
      // Not due yet: a run just before it does nothing.
      expect(await drainJobs(ctx, new Date(next.getTime() - 1000))).toBe(0);
      clock = next;
      previous = new Date();
      await drainJobs(ctx, clock);
    }
    const dead = await deliveryRow(id);
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_DELIVERY_ATTEMPTS, last_status_code: 500 });
    expect(dead.log).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    expect(receiver.received).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    // Every attempt carried the same webhook-id (the receiver's dedupe key) and a valid signature.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
    expect(receiver.received.every((r) => r.error === null)).toBe(true);
    // Dead-lettering raised an alert: through the `webhook.died` event, which a job handles.
    await drainJobs(ctx, clock);
    const alerts = await ctx.db.withTenant(org.orgId, ({ db }) =>
      db
        .selectFrom('alerts')
        .selectAll()
        .where('source', '=', 'webhook')
        .where('source_id', '=', id)
        .execute(),
    );
    expect(alerts).toHaveLength(1);
    // Replay: same id, delivered now that the receiver is healthy.
    failing = false;
    const replayed = await replayDelivery(ctx.db, org.orgId, ADMIN, id);
    expect(replayed).toMatchObject({ status: 'pending', attempts: 0 });
    await drainJobs(ctx);
    expect(await deliveryRow(id)).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 204 });
    expect(receiver.received.at(-1)?.headers['webhook-id']).toBe(id);
    const log = await listDeliveries(ctx.db, org.orgId, endpoint.id, { limit: 10 });
    expect(log.data.map((d) => d.id)).toEqual([id]);
    expect(log.data[0]?.log.at(-1)?.status_code).toBe(204);
    await expect(replayDelivery(ctx.db, org.orgId, ADMIN, id)).resolves.toMatchObject({ status: 'pending' });
    await expect(replayDelivery(ctx.db, org.orgId, ADMIN, id)).rejects.toThrow(/still being retried/);
    await drainJobs(ctx);
    await receiver.close();
  });

  it('stops at 410 Gone and disables the endpoint', async () => {
    const receiver = await startWebhookReceiver(() => 410);
    const endpoint = await createEndpoint(ctx, org.orgId, ADMIN, { url: receiver.url });
    const id = await send(endpoint.id, {});
    await drainJobs(ctx);
    expect(await deliveryRow(id)).toMatchObject({ status: 'dead', attempts: 1, last_status_code: 410 });
    expect(await getEndpoint(ctx.db, org.orgId, endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: 'receiver answered 410 Gone',
    });
    await receiver.close();
  });
});

describe('SSRF guard', () => {
  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      '224.0.0.1',
    ]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) expect(isPublicAddress(a), a).toBe(true);
  });

  it('refuses private targets when saving and when connecting, unless allowed', async () => {
    await expect(assertDeliverableUrl('http://127.0.0.1:9/x', false)).rejects.toThrow(
      /private, loopback or link-local/,
    );
    await expect(assertDeliverableUrl('http://localhost:9/x', false)).rejects.toThrow(
      /private, loopback or link-local/,
    );
    await expect(assertDeliverableUrl('http://[::1]:9/x', false)).rejects.toThrow(/private/);
    await expect(assertDeliverableUrl('ftp://example.com/x', false)).rejects.toThrow(/http/);
    await expect(assertDeliverableUrl('http://user:pw@example.com/', false)).rejects.toThrow(/credentials/);
    await expect(assertDeliverableUrl('http://127.0.0.1:9/x', true)).resolves.toBeInstanceOf(URL);
    const receiver = await startWebhookReceiver();
    const blocked = await postJson(
      receiver.url.replace('127.0.0.1', 'localhost'),
      '{}',
      {},
      { allowPrivate: false },
    );
    expect(blocked.statusCode).toBeNull();
    expect(blocked.error).toMatch(/private, loopback or link-local/);
    expect(receiver.received).toHaveLength(0);
    const allowed = await postJson(receiver.url, '{}', {}, { allowPrivate: true });
    expect(allowed.statusCode).toBe(200);
    await receiver.close();
  });
});

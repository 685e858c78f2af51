import { createHmac } from 'node:crypto';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../context.js';
import { drainJobs, startWebhookReceiver } from '../../../delivery/testing.js';
import { type PolicyEngine, startPolicyEngine } from '../../../policies/engine.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../../../usage/testing.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let engine: PolicyEngine;
let a: SeededOrg;
let b: SeededOrg;
let adminKey: string;
let readKey: string;
let bKey: string;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  ({ ctx, handle } = await createTestContext({ allowPrivateUrls: true }));
  a = await seedOrg(ctx, 'gov-a');
  b = await seedOrg(ctx, 'gov-b');
  adminKey = await createKey(ctx, a.orgId, ['read', 'write', 'admin']);
  readKey = await createKey(ctx, a.orgId, ['read']);
  bKey = await createKey(ctx, b.orgId, ['read', 'write', 'admin']);
  app = await buildHttpApp(ctx);
  engine = startPolicyEngine(ctx);
});
afterAll(async () => {
  engine.stop();
  await engine.idle();
  await app.close();
  await ctx.preflight.idle();
  await receiver.close();
  await handle.drop();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
function call(method: Method, url: string, body?: unknown, key = adminKey) {
  return app.inject({
    method,
    url,
    headers: bearer(key),
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

const riskPolicy = () => ({
  name: 'High IP risk in Engineering',
  severity: 'high',
  trigger: { type: 'ip_risk' },
  conditions: {
    all: [
      { field: 'risk_level', op: 'gte', value: 'high' },
      { field: 'department_id', op: 'within', value: a.departments.engineering },
    ],
  },
  actions: [{ type: 'create_incident', assignee_id: a.users.carol }],
});

function signed(secret: string, event: string, payload: unknown, delivery: string) {
  const body = JSON.stringify(payload);
  return {
    method: 'POST' as const,
    url: `/integrations/github/webhook/${a.orgId}`,
    payload: body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  };
}

async function countRows(table: 'risk_events' | 'incidents' | 'alerts', orgId = a.orgId): Promise<number> {
  const rows = await ctx.db.withTenant(orgId, ({ db }) => db.selectFrom(table).select('org_id').execute());
  return rows.length;
}

let policyId: string;
let incidentId: string;
let alertId: string;
let endpointId: string;
let deliveryId: string;

describe('policies API', () => {
  it('creates a draft, edits it into versions, tests, publishes, disables — every change audited', async () => {
    const created = await call('POST', '/v1/policies', riskPolicy());
    expect(created.statusCode).toBe(201);
    const policy = created.json();
    policyId = policy.id;
    expect(policy).toMatchObject({
      status: 'draft',
      current_version: 1,
      published_version: null,
      has_unpublished_changes: true,
    });
    const edited = await call('PATCH', `/v1/policies/${policyId}`, { description: 'leaks from engineering' });
    expect(edited.json()).toMatchObject({
      current_version: 2,
      description: 'leaks from engineering',
      name: riskPolicy().name,
    });
    const tested = await call('POST', `/v1/policies/${policyId}/test`, { window_days: 7 });
    expect(tested.statusCode).toBe(200);
    expect(tested.json()).toMatchObject({
      version: 2,
      evaluated: 0,
      matched: 0,
      would_fire: 0,
      examples: [],
    });
    const published = await call('POST', `/v1/policies/${policyId}/publish`, {});
    expect(published.json()).toMatchObject({
      status: 'published',
      published_version: 2,
      has_unpublished_changes: false,
    });
    expect(
      (await call('GET', `/v1/policies/${policyId}/versions`, undefined, readKey))
        .json()
        .data.map((v: { version: number }) => v.version),
    ).toEqual([2, 1]);
    expect((await call('GET', '/v1/policies?status=published', undefined, readKey)).json().data).toHaveLength(
      1,
    );
    expect((await call('GET', `/v1/policies/${policyId}`, undefined, readKey)).json().version).toBe(2);
    expect((await call('DELETE', `/v1/policies/${policyId}`)).statusCode).toBe(409);
    const draft = (await call('POST', '/v1/policies', { ...riskPolicy(), name: 'throwaway' })).json();
    expect((await call('DELETE', `/v1/policies/${draft.id}`)).statusCode).toBe(204);
    expect((await call('POST', `/v1/policies/${draft.id}/publish`, {})).statusCode).toBe(404);
    const audit = (await call('GET', '/v1/audit?action=policy.*&limit=500', undefined, readKey)).json();
    expect(audit.data.map((e: { action: string }) => e.action).reverse()).toEqual([
      'policy.create',
      'policy.update',
      'policy.publish',
      'policy.create',
      'policy.delete',
    ]);
  });

  it('refuses bad input with 400 and stores nothing', async () => {
    const bad = [
      { ...riskPolicy(), trigger: { type: 'moon_phase' } },
      { ...riskPolicy(), conditions: { field: 'user_id', op: 'gt', value: 'x' } },
      { ...riskPolicy(), conditions: { all: [{ field: 'tokens', op: 'between', value: [1] }] } },
      { ...riskPolicy(), conditions: { xor: [] } },
      { ...riskPolicy(), actions: [] },
      {
        ...riskPolicy(),
        actions: [{ type: 'webhook', endpoint_id: '00000000-0000-4000-8000-000000000000' }],
      },
      { ...riskPolicy(), actions: [{ type: 'create_incident', assignee_id: b.users.alice }] },
      { ...riskPolicy(), trigger: { type: 'department_threshold', params: { limit_tokens: -1 } } },
      { ...riskPolicy(), name: '' },
      { ...riskPolicy(), extra: true },
    ];
    for (const body of bad) {
      const res = await call('POST', '/v1/policies', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    expect((await call('POST', `/v1/policies/${policyId}/test`, { window_days: 0 })).statusCode).toBe(400);
    expect((await call('PATCH', `/v1/policies/${policyId}`, { actions: [] })).statusCode).toBe(400);
    expect((await call('GET', '/v1/audit?cursor=nonsense')).statusCode).toBe(400);
    expect((await call('GET', '/v1/alerts?cursor=nonsense')).statusCode).toBe(400);
    expect((await call('POST', '/v1/policies', riskPolicy(), readKey)).statusCode).toBe(403);
    expect((await call('GET', '/v1/policies')).json().data).toHaveLength(1);
  });
});

describe('GitHub webhook → risk event → policy', () => {
  let secret: string;
  it('verifies X-Hub-Signature-256, maps, attributes and fires the ip_risk policy', async () => {
    secret = (await call('PUT', '/v1/github/webhook-secret', {})).json().secret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const mapped = await call('PUT', '/v1/github/user-mappings', {
      mappings: [{ login: 'Alice-GH', user_id: a.users.alice }],
    });
    expect(mapped.json().data).toEqual([{ login: 'alice-gh', user_id: a.users.alice }]);
    const res = await app.inject(
      signed(
        secret,
        'repository',
        {
          action: 'publicized',
          repository: { full_name: 'gov-a/secret-sauce' },
          sender: { login: 'alice-GH' },
        },
        'd-1',
      ),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'stored' });
    const again = await app.inject(
      signed(
        secret,
        'repository',
        {
          action: 'publicized',
          repository: { full_name: 'gov-a/secret-sauce' },
          sender: { login: 'alice-GH' },
        },
        'd-1',
      ),
    );
    expect(again.json()).toEqual({ status: 'duplicate' });
    const ignored = await app.inject(signed(secret, 'push', { ref: 'refs/heads/main' }, 'd-2'));
    expect(ignored.json()).toEqual({ status: 'ignored' });
    // A medium code-scanning alert and an unmapped login: stored, but below the policy's level.
    await app.inject(
      signed(
        secret,
        'code_scanning_alert',
        {
          action: 'created',
          alert: { number: 3, rule: { id: 'js/xss', security_severity_level: 'medium' } },
          sender: { login: 'stranger' },
        },
        'd-3',
      ),
    );
    await app.inject(
      signed(
        secret,
        'secret_scanning_alert',
        {
          action: 'created',
          alert: {
            number: 9,
            secret_type: 'aws',
            push_protection_bypassed: true,
            push_protection_bypassed_by: { login: 'alice-gh' },
          },
        },
        'd-4',
      ),
    );
    await engine.idle();
    const risks = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('risk_events').selectAll().orderBy('created_at').execute(),
    );
    expect(risks.map((r) => [r.kind, r.level, r.user_id])).toEqual([
      ['repository_publicized', 'critical', a.users.alice],
      ['code_scanning_alert', 'medium', null],
      ['secret_scanning_alert', 'critical', a.users.alice],
    ]);
    const incidents = (await call('GET', '/v1/incidents', undefined, readKey)).json().data;
    expect(incidents).toHaveLength(2);
    expect(
      incidents.every(
        (i: { policy_id: string; assignee_id: string }) =>
          i.policy_id === policyId && i.assignee_id === a.users.carol,
      ),
    ).toBe(true);
    incidentId = incidents[0].id;
  });

  it('answers 401 to a bad or missing signature and stores nothing', async () => {
    const before = await countRows('risk_events');
    const good = signed(secret, 'repository', { action: 'publicized', sender: { login: 'alice-gh' } }, 'd-9');
    const cases = [
      { ...good, headers: { ...good.headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } },
      { ...good, headers: { ...good.headers, 'x-hub-signature-256': 'sha1=abc' } },
      { ...good, payload: good.payload.replace('alice', 'bobby') },
      { ...good, headers: { ...good.headers, 'x-hub-signature-256': '' } },
      { ...signed('wrong-secret', 'repository', { action: 'publicized' }, 'd-10') },
      { ...good, url: `/integrations/github/webhook/${b.orgId}` },
    ];
    for (const c of cases) {
      const res = await app.inject(c);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    expect((await app.inject({ ...good, url: '/integrations/github/webhook/not-an-org' })).statusCode).toBe(
      404,
    );
    await engine.idle();
    expect(await countRows('risk_events')).toBe(before);
    expect(await countRows('risk_events', b.orgId)).toBe(0);
  });
});

describe('incidents and alerts API', () => {
  it('acknowledges, assigns, comments and resolves an incident with a timeline', async () => {
    expect(
      (await call('PATCH', `/v1/incidents/${incidentId}`, { status: 'acknowledged' })).json().status,
    ).toBe('acknowledged');
    expect(
      (await call('PATCH', `/v1/incidents/${incidentId}`, { assignee_id: a.users.bob })).json().assignee_id,
    ).toBe(a.users.bob);
    expect(
      (await call('POST', `/v1/incidents/${incidentId}/comments`, { body: 'repo made private again' }))
        .statusCode,
    ).toBe(201);
    const resolved = (await call('PATCH', `/v1/incidents/${incidentId}`, { status: 'resolved' })).json();
    expect(resolved.resolved_at).not.toBeNull();
    const detail = (await call('GET', `/v1/incidents/${incidentId}`, undefined, readKey)).json();
    expect(detail.timeline.map((t: { kind: string }) => t.kind)).toEqual([
      'created',
      'acknowledged',
      'assigned',
      'comment',
      'resolved',
    ]);
    expect((await call('GET', '/v1/incidents?status=resolved', undefined, readKey)).json().data).toHaveLength(
      1,
    );
    const manual = await call('POST', '/v1/incidents', { title: 'Laptop lost', severity: 'low' });
    expect(manual.statusCode).toBe(201);
    expect((await call('POST', '/v1/incidents', { title: 'x', user_id: b.users.alice })).statusCode).toBe(
      400,
    );
    expect(
      (await call('PATCH', `/v1/incidents/${incidentId}`, { assignee_id: b.users.alice })).statusCode,
    ).toBe(400);
    expect((await call('PATCH', `/v1/incidents/${incidentId}`, {})).statusCode).toBe(400);
  });

  it('lists alerts newest first with a cursor and acknowledges one', async () => {
    const first = (await call('GET', '/v1/alerts?limit=1', undefined, readKey)).json();
    expect(first.data).toHaveLength(1);
    expect(first.next_cursor).not.toBeNull();
    const second = (
      await call('GET', `/v1/alerts?limit=1&cursor=${first.next_cursor}`, undefined, readKey)
    ).json();
    expect(second.data[0].id).not.toBe(first.data[0].id);
    alertId = first.data[0].id;
    expect(first.data[0]).toMatchObject({ source: 'policy', severity: 'high', status: 'open' });
    const acked = (await call('POST', `/v1/alerts/${alertId}/acknowledge`)).json();
    expect(acked).toMatchObject({
      status: 'acknowledged',
      acknowledged_by: expect.stringMatching(/^api_key:/),
    });
    expect(
      (await call('GET', '/v1/alerts?status=open', undefined, readKey))
        .json()
        .data.map((x: { id: string }) => x.id),
    ).not.toContain(alertId);
  });
});

describe('webhooks API', () => {
  it('creates an endpoint, logs deliveries and replays one', async () => {
    const created = await call('POST', '/v1/webhooks', {
      url: receiver.url,
      event_types: ['incident.created'],
    });
    expect(created.statusCode).toBe(201);
    endpointId = created.json().id;
    receiver.setSecret(created.json().secret);
    expect((await call('GET', `/v1/webhooks/${endpointId}`)).json()).not.toHaveProperty('secret');
    await call('POST', '/v1/incidents', { title: 'Hook me' });
    await drainJobs(ctx);
    const log = (await call('GET', `/v1/webhooks/${endpointId}/deliveries`)).json();
    expect(log.data).toHaveLength(1);
    deliveryId = log.data[0].id;
    expect(log.data[0]).toMatchObject({ status: 'delivered', event_type: 'incident.created', attempts: 1 });
    expect(receiver.received.at(-1)?.verified).toMatchObject({
      type: 'incident.created',
      data: { incident: { title: 'Hook me' } },
    });
    expect((await call('POST', `/v1/webhooks/deliveries/${deliveryId}/replay`)).statusCode).toBe(202);
    expect((await call('POST', `/v1/webhooks/deliveries/${deliveryId}/replay`)).statusCode).toBe(409);
    await drainJobs(ctx);
    expect(receiver.received.filter((r) => r.headers['webhook-id'] === deliveryId)).toHaveLength(2);
    expect((await call('PATCH', `/v1/webhooks/${endpointId}`, { enabled: false })).json().enabled).toBe(
      false,
    );
    expect((await call('POST', '/v1/webhooks', { url: 'gopher://x' })).statusCode).toBe(400);
    expect(
      (await call('POST', '/v1/webhooks', { url: receiver.url, event_types: ['nope'] })).statusCode,
    ).toBe(400);
  });
});

describe('audit API', () => {
  it('browses with filters and a cursor, and exports CSV and JSON that verify as a chain', async () => {
    const page1 = (await call('GET', '/v1/audit?limit=3', undefined, readKey)).json();
    expect(page1.data).toHaveLength(3);
    const page2 = (
      await call('GET', `/v1/audit?limit=3&cursor=${page1.next_cursor}`, undefined, readKey)
    ).json();
    expect(page2.data[0].seq).toBe(page1.data[2].seq - 1);
    const incidentsOnly = (
      await call('GET', '/v1/audit?target_type=incident&limit=500', undefined, readKey)
    ).json();
    expect(incidentsOnly.data.length).toBeGreaterThan(0);
    expect(incidentsOnly.data.every((e: { target_type: string }) => e.target_type === 'incident')).toBe(true);
    const json = await call('GET', '/v1/audit/export?format=json', undefined, readKey);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    const entries = JSON.parse(json.body) as Array<{ seq: number; hash: string; prev_hash: string }>;
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prev_hash).toBe(entries[i - 1]?.hash);
    const csv = await call('GET', '/v1/audit/export?format=csv&action=policy.*', undefined, readKey);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('seq,at,actor_type,actor_id,action,target_type,target_id,details,prev_hash,hash');
    expect(lines.slice(1).every((l) => l.includes(',policy.'))).toBe(true);
    expect((await call('GET', '/v1/audit/export?format=xml')).statusCode).toBe(400);
    // Org B sees none of org A's trail.
    const bAudit = (await call('GET', '/v1/audit?limit=500', undefined, bKey)).json();
    expect(bAudit.data.some((e: { target_id: string }) => e.target_id === policyId)).toBe(false);
  });
});

describe('cross-tenant', () => {
  it('answers 404 to another org on every endpoint with an id', async () => {
    const paths: Array<[Method, string, unknown?]> = [
      ['GET', `/v1/policies/${policyId}`],
      ['GET', `/v1/policies/${policyId}/versions`],
      ['PATCH', `/v1/policies/${policyId}`, { name: 'mine now' }],
      ['POST', `/v1/policies/${policyId}/test`, { window_days: 1 }],
      ['POST', `/v1/policies/${policyId}/publish`, {}],
      ['POST', `/v1/policies/${policyId}/disable`],
      ['DELETE', `/v1/policies/${policyId}`],
      ['GET', `/v1/incidents/${incidentId}`],
      ['PATCH', `/v1/incidents/${incidentId}`, { status: 'open' }],
      ['POST', `/v1/incidents/${incidentId}/comments`, { body: 'hi' }],
      ['GET', `/v1/alerts/${alertId}`],
      ['POST', `/v1/alerts/${alertId}/acknowledge`],
      ['GET', `/v1/webhooks/${endpointId}`],
      ['PATCH', `/v1/webhooks/${endpointId}`, { enabled: true }],
      ['GET', `/v1/webhooks/${endpointId}/deliveries`],
      ['POST', `/v1/webhooks/deliveries/${deliveryId}/replay`],
      ['DELETE', `/v1/webhooks/${endpointId}`],
      ['DELETE', '/v1/github/user-mappings/alice-gh'],
    ];
    for (const [method, url, body] of paths) {
      const res = await call(method, url, body, bKey);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    for (const list of [
      '/v1/policies',
      '/v1/incidents',
      '/v1/alerts',
      '/v1/webhooks',
      '/v1/github/user-mappings',
    ]) {
      expect((await call('GET', list, undefined, bKey)).json().data, list).toEqual([]);
    }
    expect(
      (
        await call(
          'PUT',
          '/v1/github/user-mappings',
          { mappings: [{ login: 'x', user_id: a.users.alice }] },
          bKey,
        )
      ).statusCode,
    ).toBe(400);
    expect((await call('GET', `/v1/policies/${policyId}`)).json().name).toBe(riskPolicy().name);
    expect((await call('GET', '/v1/policies/not-a-uuid')).statusCode).toBe(404);
  });

  it('disables a published policy (kept, audited); a draft cannot be disabled', async () => {
    expect((await call('POST', `/v1/policies/${policyId}/disable`)).json()).toMatchObject({
      status: 'disabled',
      published_version: 2,
    });
    const draft = (await call('POST', '/v1/policies', { ...riskPolicy(), name: 'draft' })).json();
    expect((await call('POST', `/v1/policies/${draft.id}/disable`)).statusCode).toBe(409);
    const last = (await call('GET', `/v1/audit?target_id=${policyId}&limit=1`, undefined, readKey)).json();
    expect(last.data[0].action).toBe('policy.disable');
  });
});

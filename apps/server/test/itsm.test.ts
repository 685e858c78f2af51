import type { TestDatabase } from '@toktra/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlert } from '../src/alerts/service.js';
import type { AppContext } from '../src/context.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../src/usage/testing.js';
import type { FakeServer } from './fakes/fake-server.js';
import { startJiraFake } from './fakes/jira-fake.js';
import { startServiceNowFake } from './fakes/servicenow-fake.js';

const SN = { username: 'toktra.integration', password: 'sn-password-very-secret' };
const JIRA = { email: 'bot@acme.test', apiToken: 'jira-api-token-very-secret' };
let servicenow: FakeServer;
let jira: FakeServer;
let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: SeededOrg;
let b: SeededOrg;
let adminKey: string;
let bAdminKey: string;
let snConnector: string;
let jiraConnector: string;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const call = (method: Method, url: string, body?: unknown, key = adminKey) =>
  app.inject({
    method,
    url,
    headers: bearer(key),
    ...(body === undefined ? {} : { payload: body as object }),
  });
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function alertIn(orgId: string, severity: 'low' | 'critical', title: string) {
  return ctx.db.withTenant(orgId, (tx) =>
    createAlert(ctx, tx, orgId, {
      severity,
      title,
      body: 'Team Data sent 14 prompts to an unapproved model',
      source: 'policy',
    }),
  );
}

beforeAll(async () => {
  servicenow = await startServiceNowFake(SN);
  jira = await startJiraFake(JIRA);
  ({ ctx, handle } = await createTestContext({
    allowPrivateUrls: true,
    publicUrl: 'https://toktra.example',
  }));
  a = await seedOrg(ctx, 'itsm-a');
  b = await seedOrg(ctx, 'itsm-b');
  adminKey = await createKey(ctx, a.orgId, ['read', 'write', 'admin']);
  bAdminKey = await createKey(ctx, b.orgId, ['read', 'write', 'admin']);
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app?.close();
  await ctx?.preflight.idle();
  await handle?.drop();
  await servicenow?.close();
  await jira?.close();
});

describe('ITSM connectors', () => {
  it('rejects bad input with 400', async () => {
    const bad = [
      { kind: 'zendesk', name: 'x', base_url: servicenow.url, credentials: SN },
      { kind: 'servicenow', name: 'x', base_url: 'not a url', credentials: SN },
      { kind: 'servicenow', name: 'x', base_url: servicenow.url, credentials: { username: 'u' } },
      { kind: 'jira', name: 'x', base_url: jira.url, credentials: { email: JIRA.email, api_token: 't' } },
      {
        kind: 'jira',
        name: 'x',
        base_url: jira.url,
        project_key: 'gov lower',
        credentials: { email: JIRA.email, api_token: 't' },
      },
      { kind: 'servicenow', name: 'x', base_url: 'ftp://example.com', credentials: SN },
    ];
    for (const body of bad) expect((await call('POST', '/v1/itsm/connectors', body)).statusCode).toBe(400);
    expect((await call('GET', '/v1/itsm/connectors')).json().data).toEqual([]);
  });

  it('stores credentials encrypted, never returns them, and the Test button checks them', async () => {
    const created = await call('POST', '/v1/itsm/connectors', {
      kind: 'servicenow',
      name: 'Acme ServiceNow',
      base_url: `${servicenow.url}/`,
      credentials: SN,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      kind: 'servicenow',
      table_name: 'incident',
      active: true,
      base_url: servicenow.url,
    });
    expect(created.body).not.toContain(SN.password);
    snConnector = created.json().id;
    const tested = await call('POST', `/v1/itsm/connectors/${snConnector}/test`);
    expect(tested.json()).toEqual({ ok: true, message: 'servicenow answered; credentials accepted' });
    expect(servicenow.requests.at(-1)?.headers.authorization).toBe(basic(SN.username, SN.password));
    expect((await call('GET', `/v1/itsm/connectors/${snConnector}`)).json()).toMatchObject({
      last_test_ok: true,
    });

    const wrong = await call('POST', '/v1/itsm/connectors', {
      kind: 'jira',
      name: 'Wrong token',
      base_url: jira.url,
      project_key: 'GOV',
      credentials: { email: JIRA.email, api_token: 'wrong' },
    });
    const failed = (await call('POST', `/v1/itsm/connectors/${wrong.json().id}/test`)).json();
    expect(failed.ok).toBe(false);
    expect(failed.message).toContain('Jira answered 401');
    expect((await call('DELETE', `/v1/itsm/connectors/${wrong.json().id}`)).statusCode).toBe(204);

    const dump = await ctx.db.system(async ({ db }) =>
      sql<{ row: string }>`SELECT row_to_json(c)::text AS row FROM itsm_connectors c`.execute(db),
    );
    const text = dump.rows.map((r) => r.row).join('\n');
    expect(text).toContain('Acme ServiceNow');
    expect(text).not.toContain(SN.password);
    expect(text).not.toContain(SN.username);
  });

  it('opens a ServiceNow incident with the Table API request shape', async () => {
    const alert = await alertIn(a.orgId, 'critical', 'PII sent to unapproved model');
    const res = await call('POST', '/v1/itsm/tickets', { alert_id: alert.id });
    expect(res.statusCode).toBe(200);
    const ticket = res.json();
    expect(ticket).toMatchObject({ kind: 'servicenow', key: 'INC0010001', created: true });
    expect(ticket.url).toBe(
      `${servicenow.url}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=a${(10_001).toString(16).padStart(31, '0')}`)}`,
    );
    const sent = servicenow.requests.filter((r) => r.method === 'POST').at(-1);
    expect(sent?.path).toBe('/api/now/table/incident');
    expect(sent?.query.get('sysparm_fields')).toBe('sys_id,number');
    expect(sent?.headers.authorization).toBe(basic(SN.username, SN.password));
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers.accept).toBe('application/json');
    const body = JSON.parse(sent?.body ?? '{}');
    expect(body).toMatchObject({
      short_description: '[Toktra critical] PII sent to unapproved model',
      urgency: '1',
      impact: '1',
      correlation_id: `toktra-alert-${alert.id}`,
    });
    expect(body.description).toContain('Team Data sent 14 prompts');
    expect(body.description).toContain(`https://toktra.example/alerts/${alert.id}`);
    expect(body).not.toHaveProperty('priority');
    // Once per alert and connector.
    expect((await call('POST', '/v1/itsm/tickets', { alert_id: alert.id })).json()).toMatchObject({
      created: false,
      key: 'INC0010001',
    });
  });

  it('opens a Jira issue with REST v3 and an ADF description', async () => {
    const created = await call('POST', '/v1/itsm/connectors', {
      kind: 'jira',
      name: 'Governance board',
      base_url: jira.url,
      project_key: 'GOV',
      credentials: { email: JIRA.email, api_token: JIRA.apiToken },
    });
    jiraConnector = created.json().id;
    expect(created.json()).toMatchObject({ issue_type: 'Task', project_key: 'GOV' });
    const alert = await alertIn(a.orgId, 'low', 'New AI tool seen');
    const res = await call('POST', '/v1/itsm/tickets', { alert_id: alert.id, connector_id: jiraConnector });
    expect(res.json()).toMatchObject({
      kind: 'jira',
      key: 'GOV-1',
      url: `${jira.url}/browse/GOV-1`,
      created: true,
    });
    const sent = jira.requests.filter((r) => r.path === '/rest/api/3/issue').at(-1);
    expect(sent?.headers.authorization).toBe(basic(JIRA.email, JIRA.apiToken));
    expect(sent?.headers['content-type']).toBe('application/json');
    const { fields } = JSON.parse(sent?.body ?? '{}');
    expect(fields).toMatchObject({
      project: { key: 'GOV' },
      issuetype: { name: 'Task' },
      summary: '[Toktra low] New AI tool seen',
      labels: ['ai-governance', 'severity-low'],
    });
    expect(fields.description).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'What happened' }] },
        {
          type: 'paragraph',
          content: [{ type: 'text', text: 'Team Data sent 14 prompts to an unapproved model' }],
        },
        {
          type: 'bulletList',
          content: [
            ['Severity', 'low'],
            ['Source', 'policy'],
            ['Raised at', alert.created_at],
            ['Alert id', alert.id],
          ].map(([k, v]) => ({
            type: 'listItem',
            content: [
              {
                type: 'paragraph',
                content: [
                  { type: 'text', text: `${k}: `, marks: [{ type: 'strong' }] },
                  { type: 'text', text: v },
                ],
              },
            ],
          })),
        },
        {
          type: 'paragraph',
          content: [
            {
              type: 'text',
              text: 'Open in Toktra',
              marks: [{ type: 'link', attrs: { href: `https://toktra.example/alerts/${alert.id}` } }],
            },
          ],
        },
      ],
    });
  });

  it('reports an ITSM refusal as 502 and stores no ticket', async () => {
    await call('PATCH', `/v1/itsm/connectors/${jiraConnector}`, { project_key: 'NOPE' });
    const alert = await alertIn(a.orgId, 'critical', 'Refused by Jira');
    const res = await call('POST', '/v1/itsm/tickets', { alert_id: alert.id, connector_id: jiraConnector });
    expect(res.statusCode).toBe(502);
    expect(res.json().error.message).toContain('Jira answered 400');
    const rows = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('itsm_tickets').select('id').where('alert_id', '=', alert.id).execute(),
    );
    expect(rows).toEqual([]);
    expect((await call('PATCH', `/v1/itsm/connectors/${jiraConnector}`, { colour: 'red' })).statusCode).toBe(
      400,
    );
  });

  it('answers 404 to another org on every ITSM endpoint', async () => {
    const alert = await alertIn(a.orgId, 'critical', 'A only');
    const forB = (method: Method, url: string, body?: unknown) => call(method, url, body, bAdminKey);
    expect((await forB('GET', '/v1/itsm/connectors')).json().data).toEqual([]);
    expect((await forB('GET', `/v1/itsm/connectors/${snConnector}`)).statusCode).toBe(404);
    expect((await forB('PATCH', `/v1/itsm/connectors/${snConnector}`, { active: false })).statusCode).toBe(
      404,
    );
    expect((await forB('POST', `/v1/itsm/connectors/${snConnector}/test`)).statusCode).toBe(404);
    expect((await forB('DELETE', `/v1/itsm/connectors/${snConnector}`)).statusCode).toBe(404);
    expect((await forB('POST', '/v1/itsm/tickets', { alert_id: alert.id })).statusCode).toBe(404);
    expect((await forB('GET', '/v1/itsm/connectors/not-a-uuid')).statusCode).toBe(404);
    expect((await call('GET', `/v1/itsm/connectors/${snConnector}`)).json().active).toBe(true);
  });
});

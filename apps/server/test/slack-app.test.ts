import type { TestDatabase } from '@toktra/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlert } from '../src/alerts/service.js';
import { CSRF_HEADER, createSession, csrfTokenFor, SESSION_COOKIE } from '../src/auth/sessions.js';
import { ingestTokens } from '../src/budgets/testing.js';
import type { AppContext } from '../src/context.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { jobDefinitions } from '../src/jobs/registry.js';
import { JobRunner } from '../src/jobs/runner.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../src/usage/testing.js';
import type { FakeServer } from './fakes/fake-server.js';
import { startJiraFake } from './fakes/jira-fake.js';
import { type SlackFake, startSlackFake } from './fakes/slack-fake.js';
import {
  blockText,
  buttonBody,
  commandBody,
  postSlack,
  SIGNING_SECRET,
  slackHeaders,
} from './slack-helpers.js';

const TEAM = 'T0ACME';
const BOT_TOKEN = 'xoxb-fake-bot-token-acme-123456';
let slack: SlackFake;
let jira: FakeServer;
let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: SeededOrg;
let b: SeededOrg;
let adminKey: string;
let bAdminKey: string;
let installationId: string;

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  key = adminKey,
) =>
  app.inject({
    method,
    url,
    headers: bearer(key),
    ...(body === undefined ? {} : { payload: body as object }),
  });

async function newAlert(severity: 'low' | 'medium' | 'high' | 'critical', title: string) {
  return ctx.db.withTenant(a.orgId, (tx) =>
    createAlert(ctx, tx, a.orgId, {
      severity,
      title,
      body: `${title} body`,
      source: 'policy',
    }),
  );
}

const runner = (now?: () => Date) => new JobRunner(ctx, jobDefinitions, [], now ? { now } : {});

beforeAll(async () => {
  slack = await startSlackFake({
    clientId: 'cid-123',
    clientSecret: 'csecret-456',
    team: { id: TEAM, name: 'Acme' },
    botToken: BOT_TOKEN,
    users: {
      UOWNER: 'admin@slack-a.test',
      UALICE: 'alice@slack-a.test',
      UCAROL: 'carol@slack-a.test',
      UBOB: 'bob@slack-a.test',
      USTRANGER: 'stranger@elsewhere.test',
    },
    channels: [
      { id: 'C0SECURITY', name: 'security-incidents' },
      { id: 'C0ITALERTS', name: 'it-alerts' },
      { id: 'G0PRIVATE', name: 'private-ops', is_private: true },
    ],
  });
  jira = await startJiraFake({ email: 'bot@acme.test', apiToken: 'jira-token-secret-789' });
  ({ ctx, handle } = await createTestContext({
    allowPrivateUrls: true,
    publicUrl: 'http://toktra.test',
    slack: {
      signingSecret: SIGNING_SECRET,
      clientId: 'cid-123',
      clientSecret: 'csecret-456',
      apiUrl: slack.apiUrl,
      authorizeUrl: `${slack.url}/oauth/v2/authorize`,
    },
  }));
  a = await seedOrg(ctx, 'slack-a');
  b = await seedOrg(ctx, 'slack-b');
  adminKey = await createKey(ctx, a.orgId, ['read', 'write', 'admin']);
  bAdminKey = await createKey(ctx, b.orgId, ['read', 'write', 'admin']);
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app?.close();
  await ctx?.preflight.idle();
  await handle?.drop();
  await slack?.close();
  await jira?.close();
});

async function startInstall(key = adminKey): Promise<string> {
  const res = await call('POST', '/v1/slack/install', undefined, key);
  expect(res.statusCode).toBe(200);
  const url = new URL(res.json().authorize_url);
  expect(url.origin + url.pathname).toBe(`${slack.url}/oauth/v2/authorize`);
  expect(url.searchParams.get('client_id')).toBe('cid-123');
  expect(url.searchParams.get('scope')).toContain('users:read.email');
  expect(url.searchParams.get('redirect_uri')).toBe('http://toktra.test/integrations/slack/oauth/callback');
  return url.searchParams.get('state') as string;
}

const callback = (query: string, cookie?: string) =>
  app.inject({
    method: 'GET',
    url: `/integrations/slack/oauth/callback?${query}`,
    ...(cookie ? { headers: { cookie } } : {}),
  });

describe('OAuth v2 install', () => {
  it('refuses a forged state without calling Slack', async () => {
    slack.issueCode('code-forged');
    const res = await callback('code=code-forged&state=forged-state-value');
    expect(res.statusCode).toBe(401);
    expect(slack.callsOf('oauth.v2.access')).toHaveLength(0);
  });

  it('installs a workspace: state checked, oauth.v2.access called, bot token stored encrypted', async () => {
    const state = await startInstall();
    slack.issueCode('code-1');
    const res = await callback(`code=code-1&state=${state}`);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`http://toktra.test/integrations/slack?installed=${TEAM}`);
    const [exchange] = slack.callsOf('oauth.v2.access');
    expect(exchange?.args).toMatchObject({
      client_id: 'cid-123',
      client_secret: 'csecret-456',
      code: 'code-1',
      redirect_uri: 'http://toktra.test/integrations/slack/oauth/callback',
    });
    const list = (await call('GET', '/v1/slack/installations')).json().data;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      team_id: TEAM,
      team_name: 'Acme',
      bot_user_id: 'UBOT',
      uninstalled_at: null,
    });
    expect(JSON.stringify(list)).not.toContain(BOT_TOKEN);
    installationId = list[0].id;

    // Reusing the state is refused, even with a fresh code.
    slack.issueCode('code-2');
    expect((await callback(`code=code-2&state=${state}`)).statusCode).toBe(401);
    expect(slack.callsOf('oauth.v2.access')).toHaveLength(1);
  });

  it('binds a dashboard-started install to the browser cookie', async () => {
    const session = await createSession(ctx.db, a.orgId, a.adminId, 'password');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/slack/install',
      headers: { cookie: `${SESSION_COOKIE}=${session.token}`, [CSRF_HEADER]: csrfTokenFor(session.token) },
    });
    expect(res.statusCode).toBe(200);
    const state = new URL(res.json().authorize_url).searchParams.get('state') as string;
    expect(String(res.headers['set-cookie'])).toContain(`toktra_slack_state=${state}`);
    slack.issueCode('code-3');
    expect((await callback(`code=code-3&state=${state}`)).statusCode).toBe(401);
  });

  it('refuses a workspace already connected to another org, and non-admins cannot install', async () => {
    const state = await startInstall(bAdminKey);
    slack.issueCode('code-b');
    expect((await callback(`code=code-b&state=${state}`)).statusCode).toBe(409);
    const readKey = await createKey(ctx, a.orgId, ['read']);
    expect((await call('POST', '/v1/slack/install', undefined, readKey)).statusCode).toBe(403);
  });

  it('keeps the bot token out of a database dump', async () => {
    const dump = await ctx.db.system(async ({ db }) =>
      sql<{ row: string }>`SELECT row_to_json(i)::text AS row FROM slack_installations i`.execute(db),
    );
    expect(dump.rows.length).toBeGreaterThan(0);
    expect(dump.rows.map((r) => r.row).join('\n')).not.toContain(BOT_TOKEN);
  });
});

describe('request verification', () => {
  const body = () => commandBody({ command: '/toktra-budget', user: 'UOWNER', team: TEAM });

  it('answers 401 to a wrong signature, a stale (replayed) timestamp or missing headers, with no side effect', async () => {
    const alert = await newAlert('high', 'Unverified ack attempt');
    const ack = buttonBody({
      actionId: 'toktra_alert_ack',
      value: alert.id,
      user: 'UOWNER',
      team: TEAM,
      responseUrl: slack.responseUrl('forged'),
    });
    const form = 'application/x-www-form-urlencoded';
    const bad = await postSlack(app, ctx, ack, form, slackHeaders(ack, form, { secret: 'not-the-secret' }));
    expect(bad.statusCode).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 301;
    const replay = await postSlack(app, ctx, ack, form, slackHeaders(ack, form, { ts: stale }));
    expect(replay.statusCode).toBe(401);
    const none = await postSlack(app, ctx, ack, form, { 'content-type': form });
    expect(none.statusCode).toBe(401);
    // A body altered after signing fails too.
    const headers = slackHeaders(body(), form);
    expect((await postSlack(app, ctx, `${body()}&text=x`, form, headers)).statusCode).toBe(401);
    expect(slack.responses.filter((r) => r.id === 'forged')).toHaveLength(0);
    const row = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('alerts').select('status').where('id', '=', alert.id).executeTakeFirstOrThrow(),
    );
    expect(row.status).toBe('open');
  });

  it('echoes the Events API url_verification challenge when signed', async () => {
    const payload = JSON.stringify({ type: 'url_verification', challenge: 'chal-123', token: 'x' });
    const res = await postSlack(app, ctx, payload, 'application/json');
    expect(res.json()).toEqual({ challenge: 'chal-123' });
  });
});

describe('slash commands', () => {
  beforeAll(async () => {
    const budget = await call('POST', '/v1/budgets', {
      limit_tokens: 4_000,
      cap: 'soft',
      thresholds: [80, 95],
    });
    expect(budget.statusCode).toBe(201);
    await ingestTokens(ctx, a.orgId, [
      { userId: a.users.alice, tokens: 1_000, provider: 'openai' },
      { userId: a.users.alice, tokens: 500, provider: 'anthropic' },
      { userId: a.users.bob, tokens: 2_000, provider: 'openai' },
    ]);
  });

  const run = (command: string, user: string, text = '', team = TEAM) =>
    postSlack(app, ctx, commandBody({ command, user, text, team }));

  it('/toktra-usage shows the caller’s usage per provider with cost, ephemerally', async () => {
    const res = await run('/toktra-usage', 'UALICE');
    expect(res.statusCode).toBe(200);
    const reply = res.json();
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Usage Summary — alice', emoji: true },
    });
    const text = blockText(reply.blocks);
    expect(text).toMatch(/Period: \w+ \d{4}/);
    expect(text).toMatch(/OpenAI\s+1,000\s+\$0\.00/);
    expect(text).toMatch(/Anthropic\s+500/);
    expect(text).toMatch(/Total\s+1,500/);
    // The Slack user was mapped by email through users.info.
    expect(slack.callsOf('users.info').at(-1)?.args).toMatchObject({ user: 'UALICE' });
    expect(slack.callsOf('users.info').at(-1)?.token).toBe(BOT_TOKEN);
  });

  it('/toktra-usage <email> is for admins only', async () => {
    const refused = (await run('/toktra-usage', 'UALICE', 'bob@slack-a.test')).json();
    expect(refused.text).toContain('Only Toktra admins');
    const bob = (await run('/toktra-usage', 'UOWNER', '<mailto:bob@slack-a.test|bob@slack-a.test>')).json();
    expect(blockText(bob.blocks)).toContain('Usage Summary — bob');
    expect(blockText(bob.blocks)).toMatch(/OpenAI\s+2,000/);
    expect((await run('/toktra-usage', 'UOWNER', 'not-an-email')).json().text).toContain('Usage:');
    expect((await run('/toktra-usage', 'UOWNER', 'nobody@slack-a.test')).json().text).toContain(
      'No Toktra user',
    );
  });

  it('/toktra-budget shows limit, spent, remaining, threshold and an orange bar at 87.5 %', async () => {
    const reply = (await run('/toktra-budget', 'UBOB')).json();
    expect(reply.response_type).toBe('ephemeral');
    const fields = reply.blocks
      .find((x: { fields?: unknown }) => x.fields)
      .fields.map((f: { text: string }) => f.text);
    expect(fields).toEqual([
      '*Monthly limit*\n4,000 tokens',
      '*Spent*\n3,500 tokens (87.5%)',
      '*Remaining*\n500 tokens',
      '*Alert threshold*\n80%',
    ]);
    expect(blockText(reply.blocks)).toContain('🟠 `██████████████████░░` 87.5%');
  });

  it('/toktra-alerts lists cards with Acknowledge, filters by severity and explains bad arguments', async () => {
    await newAlert('critical', 'PII to unapproved model');
    await newAlert('low', 'New AI tool seen');
    const reply = (await run('/toktra-alerts', 'UOWNER', 'severity:critical limit:5')).json();
    expect(reply.response_type).toBe('ephemeral');
    const text = blockText(reply.blocks);
    expect(text).toContain('PII to unapproved model');
    expect(text).not.toContain('New AI tool seen');
    const actions = reply.blocks.filter((x: { type: string }) => x.type === 'actions');
    expect(actions[0].elements.map((e: { action_id: string }) => e.action_id)).toEqual(['toktra_alert_ack']);
    expect((await run('/toktra-alerts', 'UOWNER', 'severity:urgent')).json().text).toContain(
      'not a severity',
    );
    expect((await run('/toktra-alerts', 'UOWNER', 'limit:99')).json().text).toContain('from 1 to 50');
    expect((await run('/toktra-alerts', 'UOWNER', 'everything')).json().text).toContain('Usage:');
    expect((await run('/toktra-alerts', 'UALICE')).json().text).toContain('Only Toktra admins and auditors');
    // A manager gets what the API gives them: GET /v1/alerts refuses managers, so does Slack.
    await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.updateTable('users').set({ role: 'manager' }).where('id', '=', a.users.carol).execute(),
    );
    expect((await run('/toktra-alerts', 'UCAROL')).json().text).toContain('Only Toktra admins and auditors');
    await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.updateTable('users').set({ role: 'employee' }).where('id', '=', a.users.carol).execute(),
    );
  });

  it('answers unmapped users and unknown workspaces with what to do', async () => {
    expect((await run('/toktra-budget', 'USTRANGER')).json().text).toContain(
      'could not match your Slack account',
    );
    expect((await run('/toktra-budget', 'UOWNER', '', 'T0UNKNOWN')).json().text).toContain(
      'not connected to Toktra',
    );
  });

  it('/toktra-usage prices each model at its own price (issue 19: gpt-4o-mini is not priced as OpenAI)', async () => {
    await ingestTokens(ctx, a.orgId, [
      { userId: a.users.dave, tokens: 100_000, output: 10_000, provider: 'openai', model: 'gpt-4o-mini' },
    ]);
    const text = blockText(
      (await run('/toktra-usage', 'UOWNER', '<mailto:dave@slack-a.test|dave@slack-a.test>')).json().blocks,
    );
    // 100k in × $0.15/M + 10k out × $0.60/M = $0.021 (the provider's fallback would say $0.35).
    expect(text).toMatch(/OpenAI\s+110,000\s+\$0\.02\b/);
  });
});

describe('buttons', () => {
  it('Acknowledge marks the alert and replaces the card with who acknowledged it (response_url)', async () => {
    const alert = await newAlert('high', 'Budget 95% reached');
    const res = await postSlack(
      app,
      ctx,
      buttonBody({
        actionId: 'toktra_alert_ack',
        value: alert.id,
        user: 'UOWNER',
        team: TEAM,
        responseUrl: slack.responseUrl('ack-1'),
      }),
    );
    expect(res.statusCode).toBe(200);
    const posted = slack.responses.find((r) => r.id === 'ack-1')?.body as {
      replace_original: boolean;
      blocks: unknown[];
    };
    expect(posted.replace_original).toBe(true);
    expect(blockText(posted.blocks)).toContain('✅ Acknowledged by <@UOWNER> (admin)');
    expect(JSON.stringify(posted.blocks)).not.toContain('toktra_alert_ack');
    const row = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db
        .selectFrom('alerts')
        .select(['status', 'acknowledged_by'])
        .where('id', '=', alert.id)
        .executeTakeFirstOrThrow(),
    );
    expect(row).toEqual({ status: 'acknowledged', acknowledged_by: `user:${a.adminId}` });
  });

  it('Acknowledge by a non-admin or on a foreign org’s alert changes nothing', async () => {
    const alert = await newAlert('high', 'Employee tries to ack');
    await postSlack(
      app,
      ctx,
      buttonBody({
        actionId: 'toktra_alert_ack',
        value: alert.id,
        user: 'UALICE',
        team: TEAM,
        responseUrl: slack.responseUrl('ack-2'),
      }),
    );
    expect(slack.responses.find((r) => r.id === 'ack-2')?.body.text).toContain('Only Toktra admins');
    const foreign = await ctx.db.withTenant(b.orgId, (tx) =>
      createAlert(ctx, tx, b.orgId, {
        severity: 'high',
        title: 'B secret',
        source: 'policy',
      }),
    );
    await postSlack(
      app,
      ctx,
      buttonBody({
        actionId: 'toktra_alert_ack',
        value: foreign.id,
        user: 'UOWNER',
        team: TEAM,
        responseUrl: slack.responseUrl('ack-3'),
      }),
    );
    expect(slack.responses.find((r) => r.id === 'ack-3')?.body.text).toContain('not found');
  });

  it('Create ticket appears only with an active connector and replies with the Jira URL', async () => {
    const alert = await newAlert('critical', 'Source code pasted into chat');
    const connector = await call('POST', '/v1/itsm/connectors', {
      kind: 'jira',
      name: 'Governance board',
      base_url: jira.url,
      project_key: 'GOV',
      credentials: { email: 'bot@acme.test', api_token: 'jira-token-secret-789' },
    });
    expect(connector.statusCode).toBe(201);
    const list = (
      await postSlack(
        app,
        ctx,
        commandBody({
          command: '/toktra-alerts',
          user: 'UOWNER',
          team: TEAM,
          text: 'severity:critical limit:1',
        }),
      )
    ).json();
    const ids = list.blocks
      .filter((x: { type: string }) => x.type === 'actions')
      .flatMap((x: { elements: Array<{ action_id: string }> }) => x.elements.map((e) => e.action_id));
    expect(ids).toEqual(['toktra_alert_ack', 'toktra_alert_ticket']);
    await postSlack(
      app,
      ctx,
      buttonBody({
        actionId: 'toktra_alert_ticket',
        value: alert.id,
        user: 'UOWNER',
        team: TEAM,
        responseUrl: slack.responseUrl('ticket-1'),
      }),
    );
    const reply = slack.responses.find((r) => r.id === 'ticket-1')?.body;
    expect(reply).toMatchObject({ replace_original: false, response_type: 'in_channel' });
    expect(reply?.text).toBe(`🎫 Ticket created: <${jira.url}/browse/GOV-1|GOV-1>`);
    const sent = JSON.parse(jira.requests.filter((r) => r.path === '/rest/api/3/issue').at(-1)?.body ?? '{}');
    expect(sent.fields.summary).toBe('[Toktra critical] Source code pasted into chat');
    expect(sent.fields.description).toMatchObject({ type: 'doc', version: 1 });
    // Clicking again answers the existing ticket instead of opening a second one.
    await postSlack(
      app,
      ctx,
      buttonBody({
        actionId: 'toktra_alert_ticket',
        value: alert.id,
        user: 'UOWNER',
        team: TEAM,
        responseUrl: slack.responseUrl('ticket-2'),
      }),
    );
    expect(slack.responses.find((r) => r.id === 'ticket-2')?.body.text).toContain('already exists');
    await call('PATCH', `/v1/itsm/connectors/${connector.json().id}`, { active: false });
  });
});

describe('alert channels', () => {
  it('lists channels for the picker and validates channel input', async () => {
    const channels = await call('GET', `/v1/slack/installations/${installationId}/channels`);
    expect(channels.json().data.map((c: { name: string }) => c.name)).toEqual([
      'security-incidents',
      'it-alerts',
      'private-ops',
    ]);
    expect(slack.callsOf('conversations.list').at(-1)?.args).toMatchObject({
      types: 'public_channel,private_channel',
    });
    const put = (body: unknown) => call('PUT', '/v1/slack/alert-channels', body);
    expect(
      (await put({ installation_id: installationId, channel_id: 'C0SECURITY', severities: [] })).statusCode,
    ).toBe(400);
    expect(
      (await put({ installation_id: installationId, channel_id: '#general', severities: ['high'] }))
        .statusCode,
    ).toBe(400);
    expect(
      (await put({ installation_id: installationId, channel_id: 'C0SECURITY', severities: ['urgent'] }))
        .statusCode,
    ).toBe(400);
    expect(
      (await put({ installation_id: 'nope', channel_id: 'C0SECURITY', severities: ['high'] })).statusCode,
    ).toBe(400);
  });

  it('routes an alert to every channel whose filter matches, retries failures and logs each attempt', async () => {
    const put = (channel_id: string, severities: string[]) =>
      call('PUT', '/v1/slack/alert-channels', {
        installation_id: installationId,
        channel_id,
        channel_name: channel_id,
        severities,
      });
    expect((await put('C0SECURITY', ['critical'])).statusCode).toBe(200);
    expect((await put('C0ITALERTS', ['high', 'critical'])).statusCode).toBe(200);
    await runner().runOnce(); // drain earlier jobs (reimbursement/alert notices)
    const before = slack.callsOf('chat.postMessage').length;

    const critical = await newAlert('critical', 'Hard cap hit');
    const high = await newAlert('high', 'Spike in Anthropic usage');
    await newAlert('low', 'Low-level notice');
    await postSlack(app, ctx, 'x=1', 'application/x-www-form-urlencoded', {}); // flushes routing (401, harmless)
    slack.failNext('chat.postMessage', 'ratelimited', 1);
    await runner().runOnce();
    const posts = slack.callsOf('chat.postMessage').slice(before);
    const byChannel = posts.map((p) => `${p.args.channel}:${p.args.text}`).sort();
    expect(byChannel).toEqual([
      'C0ITALERTS:[critical] Hard cap hit',
      'C0ITALERTS:[high] Spike in Anthropic usage',
      'C0SECURITY:[critical] Hard cap hit',
    ]);
    const card = posts.find((p) => p.args.channel === 'C0SECURITY')?.args.blocks as Array<{
      type: string;
      elements?: Array<{ action_id: string; value: string }>;
    }>;
    expect(card.find((x) => x.type === 'actions')?.elements?.[0]).toMatchObject({
      action_id: 'toktra_alert_ack',
      value: critical.id,
    });

    const log = (await call('GET', '/v1/slack/deliveries?limit=50'))
      .json()
      .data.filter((d: { kind: string }) => d.kind === 'alert');
    const failed = log.filter((d: { status: string }) => d.status === 'pending');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ attempts: 1, last_error: 'ratelimited' });
    // The retry is due after backoff: run the worker "later".
    await runner(() => new Date(Date.now() + 3_600_000)).runOnce();
    const after = (await call('GET', '/v1/slack/deliveries?limit=50'))
      .json()
      .data.filter(
        (d: { kind: string; subject_id: string }) =>
          d.kind === 'alert' && [critical.id, high.id].includes(d.subject_id),
      );
    expect(after.map((d: { status: string }) => d.status)).toEqual(['sent', 'sent', 'sent']);
    expect(after.map((d: { attempts: number }) => d.attempts).sort()).toEqual([1, 1, 2]);

    // Acknowledging one card updates the alert's cards in every channel (chat.update).
    await postSlack(
      app,
      ctx,
      buttonBody({
        actionId: 'toktra_alert_ack',
        value: critical.id,
        user: 'UOWNER',
        team: TEAM,
        channel: 'C0SECURITY',
        responseUrl: slack.responseUrl('ack-channel'),
      }),
    );
    await runner().runOnce();
    const sentCards = after.filter((d: { subject_id: string }) => d.subject_id === critical.id);
    const updates = slack
      .callsOf('chat.update')
      .filter((u) => sentCards.some((d: { message_ts: string }) => d.message_ts === u.args.ts));
    expect(updates.map((u) => u.args.channel).sort()).toEqual(['C0ITALERTS', 'C0SECURITY']);
    for (const u of updates) {
      expect(blockText(u.args.blocks)).toContain('✅ Acknowledged by admin');
      expect(JSON.stringify(u.args.blocks)).not.toContain('toktra_alert_ack');
    }
  });
});

describe('tenancy', () => {
  it('answers 404 to another org on every Slack endpoint', async () => {
    const channel = (await call('GET', '/v1/slack/alert-channels')).json().data[0];
    expect((await call('GET', '/v1/slack/installations', undefined, bAdminKey)).json().data).toEqual([]);
    expect((await call('GET', '/v1/slack/alert-channels', undefined, bAdminKey)).json().data).toEqual([]);
    expect((await call('GET', '/v1/slack/deliveries', undefined, bAdminKey)).json().data).toEqual([]);
    expect(
      (await call('GET', `/v1/slack/installations/${installationId}/channels`, undefined, bAdminKey))
        .statusCode,
    ).toBe(404);
    expect(
      (await call('DELETE', `/v1/slack/installations/${installationId}`, undefined, bAdminKey)).statusCode,
    ).toBe(404);
    expect(
      (
        await call(
          'PUT',
          '/v1/slack/alert-channels',
          { installation_id: installationId, channel_id: 'C0X1', severities: ['low'] },
          bAdminKey,
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (await call('DELETE', `/v1/slack/alert-channels/${channel.id}`, undefined, bAdminKey)).statusCode,
    ).toBe(404);
    expect(
      (await call('DELETE', '/v1/slack/alert-channels/not-a-uuid', undefined, bAdminKey)).statusCode,
    ).toBe(404);
  });
});

describe('uninstall', () => {
  it('app_uninstalled ends the installation and erases its token; commands then explain', async () => {
    const event = JSON.stringify({
      token: 'legacy',
      team_id: TEAM,
      api_app_id: 'A0TOKTRA',
      type: 'event_callback',
      event_id: 'Ev1',
      event_time: 1767225600,
      event: { type: 'app_uninstalled' },
    });
    expect((await postSlack(app, ctx, event, 'application/json')).statusCode).toBe(200);
    const [inst] = (await call('GET', '/v1/slack/installations')).json().data;
    expect(inst.uninstalled_at).not.toBeNull();
    const row = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db
        .selectFrom('slack_installations')
        .select('bot_token')
        .where('id', '=', installationId)
        .executeTakeFirstOrThrow(),
    );
    expect(row.bot_token).toBeNull();
    const reply = (
      await postSlack(app, ctx, commandBody({ command: '/toktra-budget', user: 'UOWNER', team: TEAM }))
    ).json();
    expect(reply.text).toContain('not connected to Toktra');
    const audit = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('audit_log').select('action').execute(),
    );
    expect(audit.map((x) => x.action)).toEqual(
      expect.arrayContaining(['slack.install', 'slack.uninstall', 'alert.acknowledge']),
    );
  });
});

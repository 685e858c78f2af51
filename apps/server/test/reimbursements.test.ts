import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, createSession, csrfTokenFor, SESSION_COOKIE } from '../src/auth/sessions.js';
import type { AppContext } from '../src/context.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { jobDefinitions } from '../src/jobs/registry.js';
import { JobRunner } from '../src/jobs/runner.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../src/usage/testing.js';
import { type SlackFake, startSlackFake } from './fakes/slack-fake.js';
import { blockText, buttonBody, postSlack, SIGNING_SECRET } from './slack-helpers.js';

const TEAM = 'T0REIMB';
const BOT_TOKEN = 'xoxb-reimbursement-bot-token-42';
let slack: SlackFake;
let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let a: SeededOrg;
let b: SeededOrg;
let adminKey: string;
let bAdminKey: string;
const cookies: Record<string, Record<string, string>> = {};

type Method = 'GET' | 'POST';
const asUser = (who: string, method: Method, url: string, body?: unknown) =>
  app.inject({
    method,
    url,
    headers: cookies[who],
    ...(body === undefined ? {} : { payload: body as object }),
  });
const asKey = (key: string, method: Method, url: string, body?: unknown) =>
  app.inject({
    method,
    url,
    headers: bearer(key),
    ...(body === undefined ? {} : { payload: body as object }),
  });
const drain = () => new JobRunner(ctx, jobDefinitions).runOnce();

beforeAll(async () => {
  slack = await startSlackFake({
    clientId: 'cid',
    clientSecret: 'csecret',
    team: { id: TEAM, name: 'Reimb' },
    botToken: BOT_TOKEN,
    users: {
      UOWNER: 'admin@reimb-a.test',
      UALICE: 'alice@reimb-a.test',
      UCAROL: 'carol@reimb-a.test',
      UBOB: 'bob@reimb-a.test',
      UDAVE: 'dave@reimb-a.test',
    },
  });
  ({ ctx, handle } = await createTestContext({
    allowPrivateUrls: true,
    slack: { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, apiUrl: slack.apiUrl },
  }));
  a = await seedOrg(ctx, 'reimb-a');
  b = await seedOrg(ctx, 'reimb-b');
  adminKey = await createKey(ctx, a.orgId, ['read', 'write', 'admin']);
  bAdminKey = await createKey(ctx, b.orgId, ['read', 'write', 'admin']);
  for (const [name, id] of Object.entries({ ...a.users, admin: a.adminId })) {
    const { token } = await createSession(ctx.db, a.orgId, id, 'password');
    cookies[name] = { cookie: `${SESSION_COOKIE}=${token}`, [CSRF_HEADER]: csrfTokenFor(token) };
  }
  app = await buildHttpApp(ctx);
  // Single-workspace setup: SLACK_BOT_TOKEN registered for the org (auth.test tells the team).
  const inst = await asKey(adminKey, 'POST', '/v1/slack/installations/env-token');
  expect(inst.statusCode).toBe(201);
  expect(inst.json()).toMatchObject({ team_id: TEAM });
});
afterAll(async () => {
  await app?.close();
  await ctx?.preflight.idle();
  await handle?.drop();
  await slack?.close();
});

let aliceRequest: string;
let bobRequest: string;

describe('reimbursements', () => {
  it('rejects bad input with 400 and API keys cannot submit', async () => {
    const bad = [
      { amount: -5, period: '2026-11' },
      { amount: 10, period: '2026-13' },
      { amount: 1.234, period: '2026-11' },
      { amount: 10, period: '2026-11', currency: 'dollars' },
      { amount: 10, period: '2026-11', extra: true },
      {},
    ];
    for (const body of bad)
      expect((await asUser('alice', 'POST', '/v1/reimbursements', body)).statusCode).toBe(400);
    expect(
      (await asKey(adminKey, 'POST', '/v1/reimbursements', { amount: 10, period: '2026-11' })).statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/reimbursements',
          payload: { amount: 1, period: '2026-11' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('an employee submits; the manager gets a Slack DM with Approve / Reject', async () => {
    const res = await asUser('alice', 'POST', '/v1/reimbursements', {
      amount: 42.5,
      currency: 'usd',
      period: '2026-11',
      note: 'ChatGPT Plus, personal card',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'submitted',
      approver_id: a.users.carol,
      currency: 'USD',
      amount: 42.5,
    });
    aliceRequest = res.json().id;
    await drain();
    expect(slack.callsOf('users.lookupByEmail').at(-1)?.args).toEqual({ email: 'carol@reimb-a.test' });
    expect(slack.callsOf('conversations.open').at(-1)?.args).toEqual({ users: 'UCAROL' });
    const dm = slack.callsOf('chat.postMessage').at(-1);
    expect(dm?.token).toBe(BOT_TOKEN);
    expect(dm?.args.channel).toBe('DUCAROL');
    const blocks = dm?.args.blocks as Array<{ type: string; elements?: Array<Record<string, unknown>> }>;
    expect(blockText(blocks)).toContain('$42.50');
    expect(blockText(blocks)).toContain('ChatGPT Plus, personal card');
    const buttons = blocks.find((x) => x.type === 'actions')?.elements ?? [];
    expect(buttons.map((e) => [e.action_id, e.value, e.style])).toEqual([
      ['toktra_reimbursement_approve', aliceRequest, 'primary'],
      ['toktra_reimbursement_reject', aliceRequest, 'danger'],
    ]);
    // The approver sees it in Reimbursements → Approvals too; others don't.
    const approvals = (await asUser('carol', 'GET', '/v1/reimbursements?scope=approvals')).json().data;
    expect(approvals.map((r: { id: string }) => r.id)).toEqual([aliceRequest]);
    expect((await asUser('dave', 'GET', '/v1/reimbursements?scope=approvals')).json().data).toEqual([]);
    expect((await asUser('dave', 'GET', `/v1/reimbursements/${aliceRequest}`)).statusCode).toBe(404);
    expect((await asUser('alice', 'GET', '/v1/reimbursements?scope=all')).statusCode).toBe(403);
  });

  it('nobody but the approver or an admin decides, and never on their own request', async () => {
    expect((await asUser('alice', 'POST', `/v1/reimbursements/${aliceRequest}/approve`)).statusCode).toBe(
      403,
    );
    expect((await asUser('dave', 'POST', `/v1/reimbursements/${aliceRequest}/approve`)).statusCode).toBe(404);
    await postSlack(
      app,
      ctx,
      buttonBody({
        actionId: 'toktra_reimbursement_approve',
        value: aliceRequest,
        user: 'UBOB',
        team: TEAM,
        responseUrl: slack.responseUrl('bob-try'),
      }),
    );
    expect(slack.responses.find((r) => r.id === 'bob-try')?.body.text).toContain(
      'Could not record the decision',
    );
    expect((await asUser('alice', 'GET', `/v1/reimbursements/${aliceRequest}`)).json().status).toBe(
      'submitted',
    );
  });

  it('the manager approves from Slack: card updated, employee told by DM and email', async () => {
    const res = await postSlack(
      app,
      ctx,
      buttonBody({
        actionId: 'toktra_reimbursement_approve',
        value: aliceRequest,
        user: 'UCAROL',
        team: TEAM,
        channel: 'DUCAROL',
        responseUrl: slack.responseUrl('carol-approve'),
      }),
    );
    expect(res.statusCode).toBe(200);
    const replaced = slack.responses.find((r) => r.id === 'carol-approve')?.body as {
      replace_original: boolean;
      blocks: unknown[];
    };
    expect(replaced.replace_original).toBe(true);
    expect(blockText(replaced.blocks)).toContain('✅ Approved by carol');
    expect(JSON.stringify(replaced.blocks)).not.toContain('toktra_reimbursement_approve');
    const view = (await asUser('alice', 'GET', `/v1/reimbursements/${aliceRequest}`)).json();
    expect(view).toMatchObject({ status: 'approved', decided_by: a.users.carol });
    await drain();
    const toAlice = slack.callsOf('chat.postMessage').at(-1);
    expect(toAlice?.args.channel).toBe('DUALICE');
    expect(toAlice?.args.text).toContain('was approved');
    const update = slack.callsOf('chat.update').at(-1);
    expect(update?.args).toMatchObject({ channel: 'DUCAROL' });
    expect(blockText(update?.args.blocks)).toContain('Approved by carol');
    const emails = await ctx.db.system(({ db }) =>
      db.selectFrom('jobs').select(['payload']).where('name', '=', 'email.send').execute(),
    );
    expect(emails.map((e) => (e.payload as { to: string; subject: string }).to)).toContain(
      'alice@reimb-a.test',
    );
    // Deciding twice is a conflict.
    expect((await asKey(adminKey, 'POST', `/v1/reimbursements/${aliceRequest}/reject`)).statusCode).toBe(409);
  });

  it('an admin rejects from the dashboard API; the employee is notified', async () => {
    const res = await asUser('dave', 'POST', '/v1/reimbursements', { amount: 20, period: '2026-11' });
    bobRequest = res.json().id;
    expect(res.json().approver_id).toBe(a.adminId); // dave has no manager: an admin approves
    await drain();
    expect(slack.callsOf('conversations.open').at(-1)?.args).toEqual({ users: 'UOWNER' });
    const rejected = await asUser('admin', 'POST', `/v1/reimbursements/${bobRequest}/reject`, {
      note: 'Not a work tool',
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({
      status: 'rejected',
      decision_note: 'Not a work tool',
      decided_by: a.adminId,
    });
    await drain();
    expect(slack.callsOf('chat.postMessage').at(-1)?.args).toMatchObject({ channel: 'DUDAVE' });
    expect(String(slack.callsOf('chat.postMessage').at(-1)?.args.text)).toContain('was rejected');
    expect(blockText(slack.callsOf('chat.update').at(-1)?.args.blocks)).toContain('❌ Rejected by admin');
    const log = (await asKey(adminKey, 'GET', '/v1/slack/deliveries')).json().data;
    expect(
      log
        .filter((d: { status: string }) => d.status === 'sent')
        .map((d: { kind: string }) => d.kind)
        .sort(),
    ).toEqual([
      'reimbursement.approved',
      'reimbursement.rejected',
      'reimbursement.submitted',
      'reimbursement.submitted',
    ]);
  });

  it('exports approved requests of a period as payroll CSV (admins only)', async () => {
    const res = await asKey(adminKey, 'GET', '/v1/reimbursements/payroll-export?period=2026-11');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'request_id,employee_email,employee_name,amount,currency,period,approved_by,approved_at,note,first_exported_at',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${aliceRequest},alice@reimb-a.test,alice,42.50,USD,2026-11,carol@reimb-a.test,[^,]+Z,"ChatGPT Plus, personal card",[^,]+Z$`,
      ),
    );
    const again = await asKey(adminKey, 'GET', '/v1/reimbursements/payroll-export?period=2026-11');
    expect(again.body).toBe(res.body); // the first export time is kept
    expect(
      (await asKey(adminKey, 'GET', '/v1/reimbursements/payroll-export?period=2026-12')).body
        .trim()
        .split('\r\n'),
    ).toHaveLength(1);
    expect(
      (await asKey(adminKey, 'GET', '/v1/reimbursements/payroll-export?period=11-2026')).statusCode,
    ).toBe(400);
    expect(
      (await asUser('carol', 'GET', '/v1/reimbursements/payroll-export?period=2026-11')).statusCode,
    ).toBe(403);
    const audit = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('audit_log').select('action').execute(),
    );
    expect(audit.map((x) => x.action)).toEqual(
      expect.arrayContaining([
        'reimbursement.submit',
        'reimbursement.approve',
        'reimbursement.reject',
        'reimbursement.payroll_export',
      ]),
    );
  });

  it('answers 404 to another org on every reimbursement endpoint', async () => {
    expect((await asKey(bAdminKey, 'GET', `/v1/reimbursements/${aliceRequest}`)).statusCode).toBe(404);
    expect((await asKey(bAdminKey, 'POST', `/v1/reimbursements/${bobRequest}/approve`)).statusCode).toBe(404);
    expect((await asKey(bAdminKey, 'POST', `/v1/reimbursements/${bobRequest}/reject`)).statusCode).toBe(404);
    expect((await asKey(bAdminKey, 'GET', '/v1/reimbursements?scope=all')).json().data).toEqual([]);
    expect(
      (await asKey(bAdminKey, 'GET', '/v1/reimbursements/payroll-export?period=2026-11')).body
        .trim()
        .split('\r\n'),
    ).toHaveLength(1);
    expect((await asKey(bAdminKey, 'GET', '/v1/reimbursements/not-a-uuid')).statusCode).toBe(404);
  });
});

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } from '../../server/src/demo/seed.js';
import { buildWebApp, webBuildIsStale } from '../../server/src/http/dashboard.js';
import { submitReimbursement } from '../../server/src/reimbursements/service.js';
import { type RunningServer, startServer } from '../../server/src/server.js';
import type { FakeServer } from '../../server/test/fakes/fake-server.js';
import { startServiceNowFake } from '../../server/test/fakes/servicenow-fake.js';
import { type SlackFake, startSlackFake } from '../../server/test/fakes/slack-fake.js';
import { demoOrgId, launchBrowser, SCREENSHOTS } from './helpers.js';

let slack: SlackFake;
let servicenow: FakeServer;
let server: RunningServer;
let database: TestDatabase | undefined;
let dataDir: string;
let browser: Browser;
let page: Page;
let orgId: string;
let requestId: string;

beforeAll(async () => {
  if (webBuildIsStale()) await buildWebApp();
  slack = await startSlackFake({
    clientId: 'cid-demo',
    clientSecret: 'csecret-demo',
    team: { id: 'T0DEMO', name: 'Acme Demo Slack' },
    botToken: 'xoxb-demo-token',
    users: {},
    channels: [
      { id: 'C0SECURITY', name: 'security-incidents' },
      { id: 'C0ITALERTS', name: 'it-alerts' },
    ],
  });
  servicenow = await startServiceNowFake({ username: 'toktra', password: 'sn-secret' });
  dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-web-int-'));
  let databaseUrl: string | undefined;
  if (process.env.TEST_DATABASE_URL) {
    database = await createTestDatabase({ migrate: false });
    if ('url' in database.target) databaseUrl = database.target.url;
    await database.db.close();
  }
  server = await startServer({
    port: 0,
    ingestPort: 0,
    dataDir,
    demo: true,
    logLevel: 'warn',
    allowPrivateUrls: true,
    slack: {
      clientId: 'cid-demo',
      clientSecret: 'csecret-demo',
      signingSecret: 'demo-signing-secret',
      apiUrl: slack.apiUrl,
      authorizeUrl: `${slack.url}/oauth/v2/authorize`,
    },
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const ctx = server.ctx;
  orgId = await demoOrgId(server);
  const org = { id: orgId };
  const employee = await ctx.db.withTenant(org.id, ({ db }) =>
    db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'employee')
      .orderBy('email')
      .executeTakeFirstOrThrow(),
  );
  requestId = (
    await submitReimbursement(ctx, org.id, employee.id, {
      amount: 20,
      currency: 'USD',
      period: '2026-11',
      note: 'Claude Pro',
    })
  ).id;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(20_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.drop().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await slack?.close();
  await servicenow?.close();
});

describe('Integrations and Reimbursements in a real browser (demo org)', () => {
  it('installs Slack through OAuth, routes alerts to a channel, adds and tests an ITSM connector, approves a reimbursement', async () => {
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN_EMAIL);
    await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('link', { name: 'Integrations', exact: true }).click();
    await page.waitForURL(/\/integrations\/slack$/);

    // "Install to Slack" sends the browser to Slack's authorize page (the fake) with a state.
    await page.getByRole('button', { name: 'Install to Slack' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth/v2/authorize');
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('client_id')).toBe('cid-demo');
    const state = authorize.searchParams.get('state');
    // Slack would redirect back after "Allow"; the state cookie set for this browser goes along.
    slack.issueCode('demo-code');
    await page.goto(`${server.url}/integrations/slack/oauth/callback?code=demo-code&state=${state}`);
    await page.waitForURL(/\/integrations\/slack\?installed=T0DEMO$/);
    await page.getByText('Slack workspace T0DEMO connected.').waitFor();
    await page.getByTestId('slack-workspaces').getByText('Acme Demo Slack').waitFor();

    await page.getByLabel('Channel', { exact: true }).first().click();
    await page.getByRole('option', { name: '#security-incidents' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('slack-alert-channels').getByText('#security-incidents').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'integrations-slack.png') });

    await page.getByRole('tab', { name: 'ITSM (ServiceNow, Jira)' }).click();
    await page.waitForURL(/\/integrations\/itsm$/);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Acme ServiceNow');
    await page.getByRole('textbox', { name: 'Base URL' }).fill(servicenow.url);
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('toktra');
    await page.getByLabel('Password', { exact: true }).fill('sn-secret');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByTestId('itsm-connectors').getByText('Acme ServiceNow').waitFor();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByText('servicenow answered; credentials accepted').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'integrations-itsm.png') });

    await page.getByRole('link', { name: 'Reimbursements', exact: true }).click();
    await page.getByRole('tab', { name: 'Approvals' }).click();
    await page.waitForURL(/\/reimbursements\/approvals$/);
    await page.getByText('Claude Pro').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'reimbursements-approvals.png') });
    await page.getByRole('button', { name: 'Approve' }).first().click();
    await page.getByText('Nothing here.').waitFor();
    const decided = await server.ctx.db.withTenant(orgId, ({ db }) =>
      db
        .selectFrom('reimbursement_requests')
        .select('status')
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow(),
    );
    expect(decided.status).toBe('approved');
  }, 120_000);
});

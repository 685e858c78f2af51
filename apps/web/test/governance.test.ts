import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlert } from '../../server/src/alerts/service.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } from '../../server/src/demo/seed.js';
import { createIncident } from '../../server/src/incidents/service.js';
import { type PolicyContent, policyContentSchema } from '../../server/src/policies/schema.js';
import { createPolicy, publishPolicy } from '../../server/src/policies/service.js';
import { type DemoServer, demoOrgId, launchBrowser, SCREENSHOTS, startDemoServer } from './helpers.js';

let demo: DemoServer;
let browser: Browser;
let page: Page;
const cli = { type: 'cli', id: null } as const;

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(20_000);
  const ctx = demo.server.ctx;
  const orgId = await demoOrgId(demo.server);
  const policy = await createPolicy(
    ctx.db,
    orgId,
    cli,
    policyContentSchema.parse({
      name: 'Usage spikes',
      severity: 'high',
      trigger: { type: 'unusual_usage', params: { min_zscore: 3.5 } },
      actions: [{ type: 'create_incident' }],
    }) as PolicyContent,
  );
  await publishPolicy(ctx.db, orgId, cli, policy.id);
  // The demo seeds an incident of its own; this suite follows exactly the one it creates. Incident
  // history is append-only for the app role, so the owner clears it.
  await ctx.db.forOrg(orgId, async (tx) => {
    await tx.db.deleteFrom('incident_events').where('org_id', '=', orgId).execute();
    await tx.db.deleteFrom('incidents').where('org_id', '=', orgId).execute();
  });
  await ctx.db.withTenant(orgId, async (tx) => {
    await createAlert(ctx, tx, orgId, {
      severity: 'critical',
      title: 'Repository made public',
      body: 'acme/secret-sauce',
      source: 'policy',
    });
    await createIncident(tx, orgId, cli, { title: 'Secret committed to acme/api', severity: 'high' });
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('Governance in a real browser (demo org)', () => {
  it('acknowledges an alert, moves an incident through its states, tests a policy, browses the audit trail', async () => {
    await page.goto(`${demo.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN_EMAIL);
    await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${demo.url}/`);
    await page.getByRole('link', { name: 'Governance', exact: true }).click();
    await page.waitForURL(/\/governance$/);
    await page.getByText('Repository made public').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'governance-alerts.png') });
    await page.getByRole('button', { name: 'Acknowledge' }).first().click();
    await expect.poll(() => page.getByText('Repository made public').count()).toBe(0);

    await page.getByRole('tab', { name: 'Incidents' }).click();
    await page.waitForURL(/\/governance\/incidents$/);
    await page.getByText('Secret committed to acme/api').click();
    await page.getByText('created', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('No incidents.').waitFor();
    await page.locator('label[for$="-all"]').click();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();

    await page.getByRole('tab', { name: 'Policies' }).click();
    await page.getByText('Usage spikes').waitFor();
    // The demo publishes policies of its own: test this suite's.
    await page
      .getByRole('row')
      .filter({ hasText: 'Usage spikes' })
      .getByRole('button', { name: 'Test' })
      .click();
    await page.getByText(/would fire \d+×/).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'governance-policies.png') });

    await page.getByRole('tab', { name: 'Audit trail' }).click();
    await page.getByRole('cell', { name: 'policy.publish' }).waitFor();
    expect(await page.getByRole('cell', { name: 'incident.update' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'governance-audit.png') });
  });
});

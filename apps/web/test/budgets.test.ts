import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { periodOf, shiftPeriodKey } from '@toktra/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestExemption } from '../../server/src/budgets/exemptions.js';
import { budgetRolloverJob } from '../../server/src/budgets/rollover-job.js';
import { createBudget } from '../../server/src/budgets/service.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_EMPLOYEE_EMAIL } from '../../server/src/demo/seed.js';
import { preflight } from '../../server/src/preflight/service.js';
import { type DemoServer, demoOrgId, launchBrowser, SCREENSHOTS, startDemoServer } from './helpers.js';

let demo: DemoServer;
let browser: Browser;
let page: Page;
let orgId: string;
let employee: { id: string; department_id: string | null };
const cli = { type: 'cli', id: null } as const;

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(20_000);
  const ctx = demo.server.ctx;
  orgId = await demoOrgId(demo.server);
  employee = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('users')
      .select(['id', 'department_id'])
      .where('email', '=', DEMO_EMPLOYEE_EMAIL)
      .executeTakeFirstOrThrow(),
  );
  // An org budget that rolls over (closed last month through the job) and a spent hard cap on
  // the employee's department, with an exemption request waiting for an admin.
  const org = await createBudget(ctx, orgId, cli, {
    limit_tokens: 1e12,
    cap: 'soft',
    thresholds: [80, 95],
    rollover_cap_pct: 50,
  });
  const tz = (
    await ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('orgs').select('time_zone').where('id', '=', orgId).executeTakeFirstOrThrow(),
    )
  ).time_zone;
  const previous = shiftPeriodKey(periodOf(Date.now(), tz).key, -1);
  await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .insertInto('budget_periods')
      .values({
        org_id: orgId,
        budget_id: org.id,
        period: previous,
        limit_amount: 1e12,
        spent: null,
        closed_at: null,
      })
      .execute(),
  );
  await budgetRolloverJob.run(ctx, { orgId }, { id: 0, orgId, attempt: 1 });
  const team = await createBudget(ctx, orgId, cli, {
    department_id: employee.department_id,
    limit_tokens: 1,
    cap: 'hard',
  });
  await requestExemption(
    ctx,
    orgId,
    { orgId, kind: 'api_key', role: 'admin', scopes: ['admin'], keyId: randomUUID() },
    {
      user_id: employee.id,
      budget_id: team.id,
      lift: true,
      justification: 'quarter-end close',
    },
  );
  ctx.preflight.clear();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('Budget management in a real browser (demo org)', () => {
  it('shows the live department tree with gauges, collapsible; rollover history; approves an exemption', async () => {
    await page.goto(`${demo.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN_EMAIL);
    await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${demo.url}/`);
    await page.getByRole('link', { name: 'Budgets', exact: true }).click();
    await page.waitForURL(/\/budgets$/);
    await page.getByText(/Organisation · \d{4}-\d{2}/).waitFor();
    const nodes = page.getByTestId('tree-node');
    await expect.poll(() => nodes.count()).toBeGreaterThan(0);
    expect(await page.getByRole('progressbar', { name: /budget used/ }).count()).toBeGreaterThanOrEqual(2);
    // Collapse the first top-level department that has children, then expand it again.
    const toggle = page.getByRole('button', { name: /^Collapse / }).first();
    const before = await nodes.count();
    await toggle.click();
    await expect.poll(() => nodes.count()).toBeLessThan(before);
    await page
      .getByRole('button', { name: /^Expand / })
      .first()
      .click();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'budgets-tree.png') });

    await page.getByRole('tab', { name: 'Rollover history' }).click();
    await page.waitForURL(/\/budgets\/rollovers$/);
    // The history opens on the first budget, which is a seeded [Demo] department budget that has
    // never closed a period: pick the org budget this test rolled over.
    await page.getByRole('combobox', { name: 'Budget' }).click();
    await page.getByRole('option', { name: 'Whole organisation', exact: true }).click();
    await page.getByRole('cell', { name: /→/ }).first().waitFor();
    expect(await page.getByRole('cell', { name: '50%' }).count()).toBeGreaterThan(0);

    expect((await preflight(demo.server.ctx, orgId, { user_id: employee.id })).allow).toBe(false);
    await page.getByRole('tab', { name: 'Exemptions' }).click();
    await page.waitForURL(/\/budgets\/exemptions$/);
    await page.getByRole('cell', { name: 'quarter-end close' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'budgets-exemptions.png') });
    await page.getByRole('button', { name: 'Approve' }).first().click();
    await page.getByText('No exemption requests.').waitFor();
    expect((await preflight(demo.server.ctx, orgId, { user_id: employee.id })).allow).toBe(true);
  });
});

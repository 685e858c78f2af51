import path from 'node:path';
import { findInStores } from '@toktra/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/src/api-keys/service.js';
import { createBudget } from '../../server/src/budgets/service.js';
import { ADMIN, ingestTokens } from '../../server/src/budgets/testing.js';
import { DEMO_ADMIN_PASSWORD, DEMO_EMPLOYEE_EMAIL, DEMO_ORG_NAME } from '../../server/src/demo/seed.js';
import {
  accessibilityViolations,
  type DemoServer,
  launchBrowser,
  SCREENSHOTS,
  startDemoServer,
} from './helpers.js';

/**
 * "My budget" in a real browser: an employee over a hard cap lands on the portal from the
 * extension's block notice link, asks for an exemption, an admin approves it over the API, and the
 * employee sees it approved and is no longer blocked.
 */
let demo: DemoServer;
let browser: Browser;
let page: Page;
let orgId: string;
let employeeId: string;
let budgetId: string;
let adminKey: string;

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.setDefaultTimeout(20_000);
  const ctx = demo.server.ctx;
  const org = await findInStores(ctx.db, ({ db }) =>
    db.selectFrom('orgs').select('id').where('name', '=', DEMO_ORG_NAME).executeTakeFirst(),
  );
  orgId = org?.id ?? '';
  const employee = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('users')
      .select(['id', 'department_id'])
      .where('email', '=', DEMO_EMPLOYEE_EMAIL)
      .executeTakeFirstOrThrow(),
  );
  employeeId = employee.id;
  // A small hard cap on the employee's department, and usage well past it.
  budgetId = (
    await createBudget(ctx, orgId, ADMIN, {
      department_id: employee.department_id,
      limit_tokens: 1_000,
      cap: 'hard',
    })
  ).id;
  await ingestTokens(ctx, orgId, [{ userId: employeeId, tokens: 5_000 }]);
  ({ apiKey: adminKey } = await createApiKey(
    ctx.db,
    orgId,
    { type: 'system', id: null },
    { name: 'approver', scopes: ['admin'] },
  ));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('My budget in the employee portal (Chromium)', () => {
  it('a blocked employee requests an exemption, an admin approves it, the employee sees it approved', async () => {
    await page.goto(`${demo.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_EMPLOYEE_EMAIL);
    await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/portal/);
    // The extension's block notice links here.
    await page.goto(`${demo.url}/portal#exemptions`);
    const card = page.locator('#exemptions');
    await expect.poll(() => card.getByTestId('my-budget-state').textContent()).toBe('Blocked');
    expect(await card.getByTestId('my-budget-reason').textContent()).toMatch(/blocked for you now/);
    await expect.poll(() => card.getByTestId('my-budgets').locator('tbody tr').count()).toBe(1);
    await card.getByText('You have not requested an exemption.').waitFor();

    await card.getByText('Lift the cap', { exact: true }).click();
    await card.getByLabel('Justification').fill('Release week: the migration needs the big model.');
    await card.getByRole('button', { name: 'Request exemption' }).click();
    await card.getByText('Request sent.', { exact: false }).waitFor();
    const status = card.getByTestId('exemption-status');
    await expect.poll(() => status.first().textContent()).toBe('requested');
    await card.screenshot({ path: path.join(SCREENSHOTS, 'my-budget.png') });
    const violations = await accessibilityViolations(page);
    expect(violations.filter((v) => /exemptions|my-budget/i.test(v))).toEqual([]);

    const list = await fetch(`${demo.url}/v1/exemptions?user_id=${employeeId}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(list.status).toBe(200);
    const pending = ((await list.json()) as { data: Array<{ id: string; budget_id: string; kind: string }> })
      .data;
    expect(pending).toMatchObject([{ budget_id: budgetId, kind: 'lift' }]);
    const approved = await fetch(`${demo.url}/v1/exemptions/${pending[0]?.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'ok for this month' }),
    });
    expect(approved.status).toBe(200);

    await page.reload();
    await expect.poll(() => status.first().textContent()).toBe('approved');
    await expect.poll(() => card.getByTestId('my-budget-state').textContent()).toBe('Allowed');
    expect(await card.getByTestId('my-budgets').textContent()).toContain('Cap lifted');
  }, 120_000);
});

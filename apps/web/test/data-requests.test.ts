import path from 'node:path';
import { findInStores } from '@toktra/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/src/audit/service.js';
import {
  DEMO_ADMIN_EMAIL,
  DEMO_ADMIN_PASSWORD,
  DEMO_EMPLOYEE_EMAIL,
  DEMO_ORG_NAME,
} from '../../server/src/demo/seed.js';
import { type DemoServer, launchBrowser, SCREENSHOTS, startDemoServer } from './helpers.js';

/**
 * Data subject requests in a real browser: the employee submits access and erasure requests from
 * the portal; the admin sees them in the queue with due dates, exports the data and erases.
 */
let demo: DemoServer;
let browser: Browser;
let page: Page;
let orgId: string;

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.setDefaultTimeout(20_000);
  const org = await findInStores(demo.server.ctx.db, ({ db }) =>
    db.selectFrom('orgs').select('id').where('name', '=', DEMO_ORG_NAME).executeTakeFirst(),
  );
  orgId = org?.id ?? '';
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

async function signIn(email: string) {
  await page.context().clearCookies();
  await page.goto(`${demo.url}/sign-in`);
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

describe('data requests (Chromium)', () => {
  it('the employee submits an access request from the portal', async () => {
    await signIn(DEMO_EMPLOYEE_EMAIL);
    await page.waitForURL(/\/portal/);
    const section = page.getByRole('region', { name: 'My data requests' });
    await section.getByText('No requests yet.').waitFor();
    await section.getByRole('button', { name: 'Submit request' }).click();
    await section
      .getByRole('status')
      .getByText(/Request sent\. It is due by/)
      .waitFor();
    const row = section.getByTestId('my-data-requests').locator('tbody tr').first();
    await expect.poll(() => row.textContent()).toMatch(/Copy of my data.*GDPR.*open/);
  });

  it('the admin sees it in the queue with its due date and exports the data (JSON + CSV)', async () => {
    await signIn(DEMO_ADMIN_EMAIL);
    await page.getByRole('link', { name: 'Data requests' }).click();
    await page.waitForURL(/\/data-requests/);
    const row = page.getByTestId('data-request-queue').locator('tbody tr', { hasText: DEMO_EMPLOYEE_EMAIL });
    await expect.poll(() => row.textContent()).toMatch(/Copy of their data.*GDPR.*due in 30 d/);
    await row.getByRole('button', { name: 'Export data' }).click();
    await row.getByRole('link', { name: 'CSV' }).waitFor();
    const csv = await page.request.get(
      `${demo.url}${await row.getByRole('link', { name: 'CSV' }).getAttribute('href')}`,
    );
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain(DEMO_EMPLOYEE_EMAIL);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'data-requests.png'), fullPage: true });
  });

  it('an erasure needs typing ERASE; afterwards the queue shows only the pseudonym', async () => {
    await signIn(DEMO_EMPLOYEE_EMAIL);
    await page.waitForURL(/\/portal/);
    const section = page.getByRole('region', { name: 'My data requests' });
    await section.getByLabel('Request', { exact: true }).click();
    await page.getByRole('option', { name: 'Erase my data' }).click();
    await section.getByRole('button', { name: 'Submit request' }).click();
    await section
      .getByRole('status')
      .getByText(/Request sent/)
      .waitFor();

    await signIn(DEMO_ADMIN_EMAIL);
    await page.goto(`${demo.url}/data-requests`);
    const row = page.getByTestId('data-request-queue').locator('tbody tr', { hasText: 'Erase their data' });
    await row.getByRole('button', { name: 'Erase…' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Erase permanently' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Confirmation' }).fill('ERASE');
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    const queue = page.getByTestId('data-request-queue');
    await expect.poll(() => queue.textContent()).not.toContain(DEMO_EMPLOYEE_EMAIL);
    await expect.poll(() => queue.textContent()).toMatch(/erased \(/);
    expect(await verifyAuditChain(demo.server.ctx.db, orgId)).toMatchObject({ ok: true });
  });
});

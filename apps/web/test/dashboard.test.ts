import path from 'node:path';
import { newEventId } from '@toktra/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/src/api-keys/service.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_EMPLOYEE_EMAIL } from '../../server/src/demo/seed.js';
import {
  accessibilityViolations,
  type DemoServer,
  demoOrgId,
  launchBrowser,
  SCREENSHOTS,
  startDemoServer,
} from './helpers.js';

let demo: DemoServer;
let browser: Browser;
let page: Page;
let orgId: string;

async function signIn(target: Page, email: string): Promise<void> {
  await target.goto(`${demo.url}/sign-in`);
  await target.getByRole('textbox', { name: 'Email' }).fill(email);
  await target.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
  await target.getByRole('button', { name: 'Sign in', exact: true }).click();
}

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(20_000);
  orgId = await demoOrgId(demo.server);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('the dashboard in a real browser (demo org)', () => {
  it('signs in and shows the Overview tiles and trend', async () => {
    await page.goto(demo.url);
    await page.waitForURL(/\/sign-in/);
    // Keyboard only: type the email, Tab to the password, Enter submits.
    await page.getByRole('textbox', { name: 'Email' }).focus();
    await page.keyboard.type(DEMO_ADMIN_EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO_ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${demo.url}/`);
    const devices = page.getByTestId('tile-enrolled-devices');
    await expect
      .poll(async () => Number((await devices.textContent())?.replace(/\D/g, '')))
      .toBeGreaterThan(150);
    expect(
      Number((await page.getByTestId('tile-active-users').textContent())?.replace(/\D/g, '')),
    ).toBeGreaterThan(100);
    await page
      .getByRole('img', { name: /Daily estimated input and output tokens/ })
      .locator('svg')
      .waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png') });
    expect(await accessibilityViolations(page)).toEqual([]);
    const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme');
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await expect.poll(scheme).toBe('dark');
    await page.getByRole('button', { name: 'Switch to light mode' }).click();
    await expect.poll(scheme).toBe('light');
  });

  it('switches ranges and filters, keeping the view in the URL', async () => {
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.waitForURL(/\/usage/);
    const summary = page.getByTestId('usage-summary');
    await expect.poll(() => summary.textContent()).toMatch(/tokens/);
    await page.getByTestId('top-users').locator('tbody tr').first().waitFor();
    await page
      .getByRole('img', { name: /tokens by provider/ })
      .locator('svg')
      .waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'usage.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    const thirtyDays = await summary.textContent();

    await page.getByText('7d', { exact: true }).click();
    await page.waitForURL(/range=7d/);
    await expect.poll(() => summary.textContent()).not.toBe(thirtyDays);
    const sevenDays = await summary.textContent();

    await page.getByPlaceholder('All departments').click();
    await page.getByRole('option', { name: 'Backend' }).click();
    await page.waitForURL(/department_id=/);
    await expect.poll(() => summary.textContent()).not.toBe(sevenDays);
    // The URL alone reproduces the view.
    const shared = page.url();
    await page.goto(shared);
    await expect.poll(() => page.getByPlaceholder('All departments').inputValue()).toBe('Backend');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.url()).not.toMatch(/department_id/);

    // A custom range: the dates are in the URL and the summary follows them.
    await page.getByText('Custom', { exact: true }).click();
    await page.getByLabel('From').fill('2026-10-01');
    await page.waitForURL(/start_date=2026-10-01/);
    await expect.poll(() => summary.textContent()).toMatch(/^2026-10-01 – /);
  });

  it('shows new usage without a reload (SSE)', async () => {
    await expect.poll(() => page.getByTestId('live-status').textContent()).toBe('Live');
    const summary = page.getByTestId('usage-summary');
    const before = await summary.textContent();
    const { apiKey } = await createApiKey(
      demo.server.ctx.db,
      orgId,
      { type: 'cli', id: null },
      {
        name: 'gateway',
        scopes: ['ingest'],
      },
    );
    const res = await fetch(`${demo.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            id: newEventId(),
            occurred_at: new Date(Date.now() - 5_000).toISOString(),
            user_email: DEMO_ADMIN_EMAIL,
            provider: 'openai',
            model: 'gpt-4o',
            input_tokens: 1_234_567,
            output_tokens: 7_654,
          },
        ],
      }),
    });
    expect(res.status).toBeLessThan(300);
    expect((await res.json()).accepted).toBe(1);
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).not.toBe(before);
  });

  it('lists devices, revokes one through the confirmation, and creates an enrollment token', async () => {
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    const rows = page.getByTestId('devices-table').locator('tbody tr');
    await rows.nth(5).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'devices.png') });
    expect(await accessibilityViolations(page)).toEqual([]);
    const row = rows.filter({ has: page.getByRole('button', { name: /^Revoke / }) }).first();
    const hostname = (await row.locator('td').first().textContent()) ?? '';
    await row.getByRole('button', { name: `Revoke ${hostname}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke device?' });
    await dialog.getByRole('button', { name: 'Revoke device' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator(`tr[data-device="${hostname}"]`).textContent()).toMatch(/Revoked/);
    const stored = await demo.server.ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('devices').select('status').where('hostname', '=', hostname).executeTakeFirstOrThrow(),
    );
    expect(stored.status).toBe('revoked');

    await page.getByRole('button', { name: 'Enroll devices' }).click();
    await page.getByRole('button', { name: 'Create enrollment token' }).click();
    const command = await page.getByTestId('enroll-command').textContent();
    expect(command).toMatch(
      new RegExp(`^npx toktra agent enroll --server ${demo.url} --token tkenr_[\\w-]{43}$`),
    );
    await page.keyboard.press('Escape');
  });

  it('fits a phone screen: the navigation folds behind a menu button', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${demo.url}/usage?range=7d`);
    const devicesLink = page.getByRole('link', { name: 'Devices', exact: true });
    await expect.poll(() => devicesLink.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Toggle navigation' }).click();
    await expect.poll(() => devicesLink.isVisible()).toBe(true);
    await devicesLink.click();
    await page.waitForURL(/\/devices/);
    await page.setViewportSize({ width: 1360, height: 900 });
  });

  it('keeps an employee in their portal: no admin pages, no one else’s data (UI and API)', async () => {
    const context = await browser.newContext();
    const employee = await context.newPage();
    employee.setDefaultTimeout(20_000);
    await signIn(employee, DEMO_EMPLOYEE_EMAIL);
    await employee.waitForURL(/\/portal/);
    await employee.getByRole('heading', { name: 'My usage' }).waitFor();
    await expect.poll(() => employee.getByRole('link', { name: 'Devices' }).count()).toBe(0);
    for (const adminPage of ['/usage', '/devices', '/']) {
      await employee.goto(`${demo.url}${adminPage}`);
      await employee.waitForURL(/\/portal/);
    }
    const other = await demo.server.ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('users').select('id').where('email', '=', DEMO_ADMIN_EMAIL).executeTakeFirstOrThrow(),
    );
    const statuses = await employee.evaluate(async (otherId) => {
      const get = async (url: string) => (await fetch(url)).status;
      return {
        otherUsage: await get(`/v1/usage?user_id=${otherId}`),
        ownUsage: await get('/v1/usage'),
        overview: await get('/v1/overview'),
        devices: await get('/v1/devices'),
        myDevices: await get('/v1/me/devices'),
      };
    }, other.id);
    expect(statuses).toEqual({ otherUsage: 404, ownUsage: 200, overview: 403, devices: 403, myDevices: 200 });
    await context.close();
  });
});

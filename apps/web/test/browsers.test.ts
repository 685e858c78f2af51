import { findInStores } from '@toktra/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMIN_EMAIL,
  DEMO_ADMIN_PASSWORD,
  DEMO_EMPLOYEE_EMAIL,
  DEMO_ORG_NAME,
} from '../../server/src/demo/seed.js';
import { enrollBrowser } from '../../server/src/extension/browsers.js';
import { type DemoServer, launchBrowser, startDemoServer } from './helpers.js';

/** Devices → Browsers: the admin sees who enrolled the extension, and revokes a browser. */
let demo: DemoServer;
let browser: Browser;
let page: Page;
let orgId: string;

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
    db.selectFrom('users').select('id').where('email', '=', DEMO_EMPLOYEE_EMAIL).executeTakeFirstOrThrow(),
  );
  await enrollBrowser(ctx.db, orgId, employee.id, {
    via: 'sign_in',
    name: 'Chrome on Linux',
    version: '0.1.0',
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('Devices → Browsers (Chromium)', () => {
  it('lists the enrolled browser and revokes it', async () => {
    await page.goto(`${demo.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN_EMAIL);
    await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    await page.goto(`${demo.url}/devices`);
    const table = page.getByTestId('browsers-table');
    const row = table.locator('tbody tr').filter({ hasText: DEMO_EMPLOYEE_EMAIL });
    await expect.poll(() => row.textContent()).toContain('Chrome on Linux');
    expect(await row.textContent()).toContain('Active');
    await row.getByRole('button', { name: /^Revoke/ }).click();
    await expect.poll(() => row.textContent()).toContain('Revoked');
    const stored = await demo.server.ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('extension_browsers').select('revoked_at').executeTakeFirstOrThrow(),
    );
    expect(stored.revoked_at).not.toBeNull();
  });
});

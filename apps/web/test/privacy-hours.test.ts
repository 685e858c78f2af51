import path from 'node:path';
import { findInStores } from '@toktra/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMIN_EMAIL,
  DEMO_ADMIN_PASSWORD,
  DEMO_EMPLOYEE_EMAIL,
  DEMO_ORG_NAME,
} from '../../server/src/demo/seed.js';
import { recordHeartbeat } from '../../server/src/devices/service.js';
import {
  accessibilityViolations,
  type DemoServer,
  launchBrowser,
  SCREENSHOTS,
  startDemoServer,
} from './helpers.js';

/**
 * Privacy Hours in a real browser: the employee adds, edits and deletes weekly windows and pauses
 * from the portal; the admin's Devices page then shows only that Privacy Hours are in use.
 */
let demo: DemoServer;
let browser: Browser;
let page: Page;
let orgId: string;
let employeeId: string;

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, timezoneId: 'America/Denver' });
  page.setDefaultTimeout(20_000);
  const ctx = demo.server.ctx;
  const org = await findInStores(ctx.db, ({ db }) =>
    db.selectFrom('orgs').select('id').where('name', '=', DEMO_ORG_NAME).executeTakeFirst(),
  );
  orgId = org?.id ?? '';
  employeeId = (
    await ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('users').select('id').where('email', '=', DEMO_EMPLOYEE_EMAIL).executeTakeFirstOrThrow(),
    )
  ).id;
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
}

const stored = () =>
  demo.server.ctx.db.withTenant(orgId, ({ db }) =>
    db.selectFrom('privacy_settings').selectAll().where('user_id', '=', employeeId).executeTakeFirst(),
  );

describe('Privacy Hours in the employee portal (Chromium)', () => {
  it('adds, edits and deletes weekly windows in the employee’s own time zone', async () => {
    await signIn(DEMO_EMPLOYEE_EMAIL);
    await page.waitForURL(/\/portal/);
    const section = page.getByRole('region', { name: 'Privacy Hours' });
    await expect.poll(() => section.getByTestId('privacy-state').textContent()).toBe('Off');
    await section.getByText('No windows yet.').waitFor();

    const form = section.getByTestId('privacy-window-form');
    await form.getByText('Mon', { exact: true }).click();
    await form.getByText('Wed', { exact: true }).click();
    await form.getByLabel('From').fill('07:41');
    await form.getByLabel('Until').fill('08:23');
    await section.getByRole('button', { name: 'Add window' }).click();
    const rows = section.getByTestId('privacy-windows').locator('tbody tr');
    await expect.poll(() => rows.first().textContent()).toContain('Mon, Wed07:4108:23');
    // A second window, every day (no day chosen), across midnight.
    await form.getByLabel('From').fill('22:00');
    await form.getByLabel('Until').fill('06:30');
    await section.getByText('Runs past midnight into the next day.').waitFor();
    await section.getByRole('button', { name: 'Add window' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await stored()).toMatchObject({
      time_zone: 'America/Denver', // the browser's zone, for a new schedule
      windows: [
        { days: [1, 3], start: '07:41', end: '08:23' },
        { days: [], start: '22:00', end: '06:30' },
      ],
    });

    await section.getByRole('button', { name: 'Edit 07:41–08:23' }).click();
    const editor = section.getByTestId('privacy-windows').getByTestId('privacy-window-form');
    await editor.getByLabel('Until').fill('09:05');
    await editor.getByRole('button', { name: 'Save window' }).click();
    await expect.poll(() => rows.first().textContent()).toContain('07:4109:05');
    await section.getByRole('button', { name: 'Delete 22:00–06:30' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect((await stored())?.windows).toEqual([{ days: [1, 3], start: '07:41', end: '09:05' }]);
  }, 90_000);

  it('pauses now for a while or until resumed, and resumes', async () => {
    const section = page.getByRole('region', { name: 'Privacy Hours' });
    await section.getByLabel('Pause monitoring of me').click();
    await page.getByRole('option', { name: '30 minutes' }).click();
    await section.getByRole('button', { name: 'Pause now' }).click();
    await section.getByText(/Monitoring is paused until \d/).waitFor();
    await expect.poll(() => section.getByTestId('privacy-state').textContent()).toBe('Active now');
    const until = (await stored())?.paused_until?.getTime() ?? 0;
    expect(until - Date.now()).toBeGreaterThan(28 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    await section.screenshot({ path: path.join(SCREENSHOTS, 'privacy-hours.png') });
    const violations = await accessibilityViolations(page);
    expect(violations.filter((v) => /privacy/i.test(v))).toEqual([]);

    await section.getByRole('button', { name: 'Resume now' }).click();
    await section.getByRole('button', { name: 'Pause now' }).waitFor();
    await section.getByLabel('Pause monitoring of me').click();
    await page.getByRole('option', { name: 'Until I resume' }).click();
    await section.getByRole('button', { name: 'Pause now' }).click();
    await section.getByText('Monitoring is paused until you resume.').waitFor();
    // Still there after a reload: the server has it.
    await page.reload();
    await page.getByText('Monitoring is paused until you resume.').waitFor();
    expect(await stored()).toMatchObject({ paused_indefinitely: true, paused_until: null });
  }, 60_000);

  it('the admin’s Devices page shows only that Privacy Hours are in use', async () => {
    const ctx = demo.server.ctx;
    const device = await ctx.db.withTenant(orgId, ({ db }) =>
      db
        .selectFrom('devices')
        .select(['id', 'hostname'])
        .where('owner_user_id', '=', employeeId)
        .executeTakeFirstOrThrow(),
    );
    // What the employee's agent reports in its heartbeat once the portal settings reach it.
    await recordHeartbeat(ctx.db, orgId, device.id, {
      agentVersion: '1.0.0',
      queueDepth: 0,
      privacyState: 'active',
      capture: { drops: 0 },
    });
    await signIn(DEMO_ADMIN_EMAIL);
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    await page.goto(`${demo.url}/devices`);
    const row = page.locator(`tr[data-device="${device.hostname}"]`);
    await expect.poll(() => row.textContent()).toContain('In use');
    const text = (await page.textContent('body')) ?? '';
    for (const secret of ['07:41', '09:05', 'America/Denver', 'paused']) expect(text).not.toContain(secret);
  }, 60_000);
});

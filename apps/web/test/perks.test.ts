import path from 'node:path';
import { findInStores } from '@toktra/db';
import { type PersonalUsage, sealPersonalUsage } from '@toktra/perks';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMIN_EMAIL,
  DEMO_ADMIN_PASSWORD,
  DEMO_EMPLOYEE_EMAIL,
  DEMO_ORG_NAME,
} from '../../server/src/demo/seed.js';
import { setMonthlyAllowance } from '../../server/src/perks/allowance.js';
import { appendPersonalEntries } from '../../server/src/perks/ledger.js';
import {
  accessibilityViolations,
  type DemoServer,
  launchBrowser,
  SCREENSHOTS,
  startDemoServer,
} from './helpers.js';

/**
 * Token Perks in a real browser: the employee opts in (key pair and passphrase wrapping in the
 * page), their device's sealed entries arrive, and the portal decrypts and shows them.
 */
let demo: DemoServer;
let browser: Browser;
let page: Page;
let orgId: string;
let employeeId: string;
const PASSPHRASE = 'a long and private passphrase';

const usage = (host: string, provider: string, minutesAgo: number): PersonalUsage => ({
  v: 1,
  id: crypto.randomUUID(),
  host,
  provider,
  product: 'chat',
  occurred_at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  duration_ms: 2500,
  transport: 'tcp',
  bytes_up: 3000,
  bytes_down: 40_000,
  est_input_tokens: 600,
  est_output_tokens: 9000,
  source: 'agent',
});

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
  employeeId = (
    await ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('users').select('id').where('email', '=', DEMO_EMPLOYEE_EMAIL).executeTakeFirstOrThrow(),
    )
  ).id;
  await setMonthlyAllowance(ctx, orgId, { type: 'user', id: null }, 50_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** What the employee's agent does: seal to the enrolled key and post through the device's channel. */
async function deviceShips(entries: PersonalUsage[]) {
  const ctx = demo.server.ctx;
  const { enrollment, deviceId } = await ctx.db.withTenant(orgId, async ({ db }) => ({
    enrollment: await db
      .selectFrom('perk_enrollments')
      .select(['id', 'public_key'])
      .where('user_id', '=', employeeId)
      .executeTakeFirstOrThrow(),
    deviceId: (
      await db
        .selectFrom('devices')
        .select('id')
        .where('owner_user_id', '=', employeeId)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow()
    ).id,
  }));
  const sealed = await Promise.all(
    entries.map((u) => sealPersonalUsage({ id: enrollment.id, publicKey: enrollment.public_key }, u)),
  );
  return appendPersonalEntries(ctx, orgId, deviceId, sealed);
}

describe('Token Perks in the employee portal (Chromium)', () => {
  it('opts in with a passphrase; the server receives a public key and a blob it cannot open', async () => {
    await page.goto(`${demo.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_EMPLOYEE_EMAIL);
    await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/portal/);
    const section = page.getByRole('region', { name: /Token Perks/ });
    await section.getByText('Not opted in').waitFor();
    await section.getByLabel('Choose a passphrase').fill(PASSPHRASE);
    await section.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await section.getByRole('button', { name: 'Opt in to Token Perks' }).click();
    await section.getByText('Opted in', { exact: true }).waitFor();
    await expect.poll(() => section.getByTestId('personal-requests').textContent()).toBe('0');
    const stored = await demo.server.ctx.db.withTenant(orgId, ({ db }) =>
      db
        .selectFrom('perk_enrollments')
        .selectAll()
        .where('user_id', '=', employeeId)
        .executeTakeFirstOrThrow(),
    );
    expect(stored.public_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored.wrapped_private_key).toMatchObject({ v: 1, kdf: 'pbkdf2-sha256', iterations: 600_000 });
    // The page keeps the unwrapped key in memory only.
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(storage).not.toMatch(/perk|private/i);
  }, 60_000);

  it('after a reload, unlocks with the passphrase and shows the decrypted personal usage', async () => {
    expect(
      await deviceShips([
        usage('claude.ai', 'anthropic', 1),
        usage('chatgpt.com', 'openai', 2),
        usage('claude.ai', 'anthropic', 3),
      ]),
    ).toEqual({ accepted: 3, duplicates: 0 });
    await page.reload();
    const section = page.getByRole('region', { name: /Token Perks/ });
    await section.getByLabel('Passphrase').fill('not the passphrase');
    await section.getByRole('button', { name: 'Unlock my personal usage' }).click();
    await section.getByText(/wrong passphrase/).waitFor();
    await section.getByLabel('Passphrase').fill(PASSPHRASE);
    await section.getByRole('button', { name: 'Unlock my personal usage' }).click();
    await expect.poll(() => section.getByTestId('personal-requests').textContent()).toBe('3');
    const rows = section.getByTestId('personal-usage').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.first().textContent()).toContain('claude.ai');
    expect(await section.getByTestId('personal-tokens-month').textContent()).toMatch(/28,800|28\.800|28 800/);
    expect(await section.getByTestId('perks-remaining').textContent()).toMatch(
      /50,000 \/ 50,000|50\.000 \/ 50\.000/,
    );

    await section.getByLabel(/Redeem tokens/).fill('20000');
    await section.getByRole('button', { name: 'Redeem', exact: true }).click();
    await expect.poll(() => section.getByTestId('perks-remaining').textContent()).toMatch(/^30[,. ]000/);
    await section.screenshot({ path: path.join(SCREENSHOTS, 'token-perks.png') });
    const violations = await accessibilityViolations(page);
    expect(violations.filter((v) => /perk|personal|passphrase/i.test(v))).toEqual([]);
  }, 60_000);

  it('shows the admin aggregates only: enrollment count, allowance, no one’s redemption alone', async () => {
    const context = await browser.newContext();
    const admin = await context.newPage();
    admin.setDefaultTimeout(20_000);
    await admin.goto(`${demo.url}/sign-in`);
    await admin.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN_EMAIL);
    await admin.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Sign in', exact: true }).click();
    await admin.waitForURL(`${demo.url}/`);
    await admin.getByRole('link', { name: /Token Perks/ }).click();
    await admin.waitForURL(/\/token-perks/);
    await expect.poll(() => admin.getByTestId('perks-enrollments').textContent()).toBe('1');
    await expect.poll(() => admin.getByTestId('perks-periods').textContent()).toMatch(/hidden/);
    expect(await admin.getByTestId('perks-periods').textContent()).not.toMatch(/20[,. ]000/);
    await admin.getByLabel('Tokens per enrolled employee per month').fill('75000');
    await admin.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => admin.getByTestId('perks-allowance').textContent()).toMatch(/75[,. ]000/);
    const body = (await admin.textContent('body')) ?? '';
    for (const host of ['claude.ai', 'chatgpt.com']) expect(body).not.toContain(host);
    await admin.screenshot({ path: path.join(SCREENSHOTS, 'token-perks-admin.png') });
    expect(await accessibilityViolations(admin)).toEqual([]);
    await context.close();
  }, 60_000);

  it('opting out deletes the ledger', async () => {
    page.once('dialog', (dialog) => void dialog.accept());
    const section = page.getByRole('region', { name: /Token Perks/ });
    await section.getByRole('button', { name: /Opt out/ }).click();
    await section.getByText('Not opted in').waitFor();
    const left = await demo.server.ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('perk_ledger_entries').select('id').execute(),
    );
    expect(left).toHaveLength(0);
  }, 60_000);
});

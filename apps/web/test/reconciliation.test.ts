import path from 'node:path';
import { newEventId } from '@toktra/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_EMPLOYEE_EMAIL } from '../../server/src/demo/seed.js';
import { jobDefinitions } from '../../server/src/jobs/registry.js';
import { JobRunner } from '../../server/src/jobs/runner.js';
import { ingestBatch } from '../../server/src/usage/ingest.js';
import type { FakeServer, FakeUsage } from '../../server/test/fakes/fake-server.js';
import { startOpenAiFake } from '../../server/test/fakes/openai-fake.js';
import { type DemoServer, demoOrgId, launchBrowser, SCREENSHOTS, startDemoServer } from './helpers.js';

/**
 * Settings → Provider Connections, reconciled tokens on Overview/Usage, and the Shadow AI page,
 * against the demo org plus 28 days of OpenAI API traffic seen by an agent and an OpenAI Admin
 * API fake on loopback reporting that traffic's true tokens plus unmanaged usage on a few days.
 */
const ADMIN_KEY = 'sk-admin-browser-SECRET-4b7e2d91';
const WRONG_KEY = 'sk-admin-browser-WRONG-000000';
const DAYS = 28;
const SHADOW_DAYS = new Set([4, 11, 12, 19, 25]);
const HOUR = 3_600_000;

let demo: DemoServer;
let browser: Browser;
let page: Page;
let fake: FakeServer;
let orgId: string;
const usage: FakeUsage[] = [];

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Managed traffic as agent events (bytes from known tokens) and the provider's view of it. */
async function seedOpenAiTraffic(deviceId: string): Promise<void> {
  const ctx = demo.server.ctx;
  const rand = mulberry32(11);
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  for (let i = 0; i < DAYS; i++) {
    const dayStart = today - (DAYS - i) * 86_400_000;
    const events: unknown[] = [];
    let managed = 0;
    for (let c = 0; c < 25 + Math.floor(rand() * 20); c++) {
      const input = 400 + Math.floor(rand() * 5000);
      const output = 80 + Math.floor(rand() * 900);
      const at = dayStart + Math.floor(rand() * 23) * HOUR + Math.floor(rand() * 3_000_000);
      events.push({
        id: newEventId(at),
        occurred_at: new Date(at).toISOString(),
        host: 'api.openai.com',
        transport: 'tcp',
        bytes_up: Math.round(1400 + rand() * 1000 + input * 3.3 * (1 + (rand() - 0.5) * 0.06)),
        bytes_down: Math.round(4500 + rand() * 2500 + output * 290 * (1 + (rand() - 0.5) * 0.06)),
      });
      const project = rand() < 0.7 ? 'proj_backend' : 'proj_data';
      usage.push({ hour: new Date(Math.floor(at / HOUR) * HOUR), model: 'gpt-4.1', project, input, output });
      managed += input + output;
    }
    if (SHADOW_DAYS.has(i)) {
      usage.push({
        hour: new Date(dayStart + 14 * HOUR),
        model: 'gpt-4.1-mini',
        project: 'proj_personal',
        input: Math.round(managed * 0.35),
        output: Math.round(managed * 0.07),
      });
    }
    const result = await ingestBatch(ctx, orgId, { type: 'device', deviceId }, events);
    expect(result.rejected).toEqual([]);
  }
}

async function signIn(target: Page, email: string): Promise<void> {
  await target.goto(`${demo.url}/sign-in`);
  await target.getByRole('textbox', { name: 'Email' }).fill(email);
  await target.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
  await target.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const runJobs = () => new JobRunner(demo.server.ctx, jobDefinitions).runOnce();
const sum = (pick: (u: FakeUsage) => number) => usage.reduce((n, u) => n + pick(u), 0);
const formatNumber = (n: number) => new Intl.NumberFormat('en').format(n);

beforeAll(async () => {
  process.env.TOKTRA_ALLOW_PRIVATE_URLS = '1';
  demo = await startDemoServer();
  const ctx = demo.server.ctx;
  orgId = await demoOrgId(demo.server);
  // This suite adds its own connection against a fake: drop the demo's built-in one (and, by
  // cascade, its reconciled usage) so the figures below are the fake's alone.
  await ctx.db.withTenant(orgId, ({ db }) =>
    db.deleteFrom('provider_connections').where('org_id', '=', orgId).execute(),
  );
  // The fake reports this suite's traffic alone, so the demo's own OpenAI API events go too: its
  // gateway's self-reported requests since local (Berlin) midnight fall on the previous UTC day,
  // where they would count as agent-observed usage the provider never reported (observed above
  // provider by ~70K that day), cutting the gap and, through that day's residual, widening the
  // calibration's σ and so the band. Events are append-only for the app role: unscoped, as owner.
  await ctx.db.forOrg(orgId, ({ db }) =>
    db
      .deleteFrom('events')
      .where('org_id', '=', orgId)
      .where('provider', '=', 'openai')
      .where('product', '=', 'api')
      .execute(),
  );
  const device = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('devices')
      .select('id')
      .where('org_id', '=', orgId)
      .where('status', '=', 'active')
      .orderBy('id')
      .executeTakeFirstOrThrow(),
  );
  await seedOpenAiTraffic(device.id);
  fake = await startOpenAiFake({ adminKey: ADMIN_KEY, usage });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(30_000);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await fake?.close();
  await demo?.close();
});

describe('provider reconciliation in a real browser (demo org)', () => {
  it('adds an OpenAI connection, tests it, syncs it, and explains a wrong key plainly', async () => {
    await signIn(page, DEMO_ADMIN_EMAIL);
    await page.waitForURL(`${demo.url}/`);
    await page.getByRole('link', { name: /Settings/ }).click();
    await page.waitForURL(/\/settings\/provider-connections$/);
    await page.getByText('No provider connections yet.').waitFor();

    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByLabel(/Admin API key/).fill(ADMIN_KEY);
    await page.getByRole('textbox', { name: 'Name' }).fill('OpenAI production');
    await page.getByRole('textbox', { name: 'Base URL' }).fill(fake.url);
    await page.getByRole('button', { name: 'Save connection' }).click();
    const row = page.getByRole('row').filter({ hasText: 'OpenAI production' });
    await row.waitFor();
    // Write-only: the masked hint is shown, the key never is.
    await row.getByText(`sk-admin-…${ADMIN_KEY.slice(-4)}`).waitFor();
    expect(await page.content()).not.toContain(ADMIN_KEY);

    await row.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => row.getByTestId('test-result').textContent())
      .toMatch(/OpenAI accepted the credentials/);

    // The server's worker runs the backfill; draining the queue here too (with every job the
    // server knows, so no other job is claimed without a handler) makes it prompt.
    await expect
      .poll(
        async () => {
          await runJobs();
          return row.getByText('healthy', { exact: true }).count();
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toBe(1);
    const synced = page.waitForResponse((r) => r.url().endsWith('/sync') && r.request().method() === 'POST');
    await row.getByRole('button', { name: 'Sync now' }).click();
    expect((await synced).status()).toBe(202);
    await runJobs();
    await expect.poll(() => row.textContent()).toMatch(/just now/);

    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByLabel(/Admin API key/).fill(WRONG_KEY);
    await page.getByRole('textbox', { name: 'Name' }).fill('Wrong key');
    await page.getByRole('textbox', { name: 'Base URL' }).fill(fake.url);
    await page.getByRole('button', { name: 'Save connection' }).click();
    const wrong = page.getByRole('row').filter({ hasText: 'Wrong key' });
    await wrong.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => wrong.getByTestId('test-result').textContent()).toMatch(/rejected.*401/i);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'provider-connections.png') });
    expect(await page.content()).not.toContain(WRONG_KEY);

    await wrong.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete connection' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Wrong key' }).count()).toBe(0);
    await row.waitFor();
  }, 180_000);

  it('shows reconciled tokens beside the estimates on Overview and Usage', async () => {
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.waitForURL(`${demo.url}/`);
    await expect.poll(() => page.getByTestId('tile-reconciled').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('tile-reconciled').textContent()).toMatch(/\d/);

    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.waitForURL(/\/usage/);
    const openai = page
      .getByTestId('provider-reconciled')
      .getByRole('row')
      .filter({ hasText: /^OpenAI/ });
    await openai.waitFor();
    const cells = await openai.getByRole('cell').allTextContents();
    // Provider, estimated in/out, reconciled in/out: reconciled are exactly the fake's totals.
    expect(cells[3]).toBe(formatNumber(sum((u) => u.input)));
    expect(cells[4]).toBe(formatNumber(sum((u) => u.output)));
    await expect.poll(() => page.getByTestId('usage-summary').textContent()).toMatch(/reconciled/);
  }, 120_000);

  it('shows Shadow AI per day with its band, the provider dimensions and the calibration error', async () => {
    await page.getByRole('link', { name: 'Shadow AI', exact: true }).click();
    await page.waitForURL(/\/shadow-ai/);
    const total = page.getByTestId('shadow-total-openai');
    await total.waitFor();
    await expect.poll(() => total.textContent()).toMatch(/shadow usage/);
    await page
      .getByRole('img', { name: /provider-reported vs agent-observed/ })
      .locator('svg')
      .waitFor();
    await page.getByTestId('shadow-dimensions').getByRole('cell', { name: 'proj_personal' }).waitFor();
    const calibration = page.getByTestId('calibration-table').getByRole('row').filter({ hasText: 'OpenAI' });
    await expect.poll(() => calibration.textContent()).toMatch(/calibrated/);
    // Error before → after, as percentages; after is the smaller.
    const [before, after] = ((await calibration.getByRole('cell').nth(2).textContent()) ?? '')
      .split('→')
      .map((s) => Number.parseFloat(s));
    expect(after).toBeLessThan(before ?? 0);
    expect(
      await page.getByTestId('shadow-days').getByText('shadow', { exact: true }).count(),
    ).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'shadow-ai.png'), fullPage: true });
  }, 120_000);

  it('keeps employees out of the settings page', async () => {
    const context = await browser.newContext();
    const employee = await context.newPage();
    employee.setDefaultTimeout(30_000);
    try {
      await signIn(employee, DEMO_EMPLOYEE_EMAIL);
      await employee.waitForURL(/\/portal/);
      expect(await employee.getByRole('link', { name: /Settings/ }).count()).toBe(0);
      await employee.goto(`${demo.url}/settings/provider-connections`);
      await employee.waitForURL(/\/portal/);
      const status = await employee.evaluate(
        async () => (await fetch('/v1/provider-connections', { credentials: 'same-origin' })).status,
      );
      expect(status).toBe(403);
    } finally {
      await context.close();
    }
  }, 120_000);
});

import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } from '../../server/src/demo/seed.js';
import { ingestBatch } from '../../server/src/usage/ingest.js';
import { type DemoServer, demoOrgId, launchBrowser, SCREENSHOTS, startDemoServer } from './helpers.js';

let demo: DemoServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(30_000);
  await page.goto(`${demo.url}/sign-in`);
  await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_ADMIN_EMAIL);
  await page.getByRole('textbox', { name: 'Password' }).fill(DEMO_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('link', { name: 'Performance', exact: true }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('insight pages in Chromium', () => {
  it('Performance: scores, and the leaderboard anonymised with pseudonyms', async () => {
    // The demo seed writes rollups only; scores come from events, so give three people some.
    const ctx = demo.server.ctx;
    const org = { id: await demoOrgId(demo.server) };
    const people = await ctx.db.withTenant(org.id, ({ db }) =>
      db
        .selectFrom('users')
        .select('id')
        .where('department_id', 'is not', null)
        .orderBy('email')
        .limit(3)
        .execute(),
    );
    const events = people.flatMap((p, k) =>
      Array.from({ length: 8 }, (_, i) => ({
        id: crypto.randomUUID(),
        occurred_at: new Date(Date.now() - 86_400_000 - i * 3_600_000).toISOString(),
        user_id: p.id,
        provider: 'openai',
        model: k === 2 ? 'o3-pro' : 'gpt-4o',
        input_tokens: 1000,
        output_tokens: 150 * (k + 1),
      })),
    );
    await ingestBatch(ctx, org.id, { type: 'api', keyId: crypto.randomUUID() }, events);
    await page.getByRole('link', { name: 'Performance', exact: true }).click();
    await page.getByTestId('scores-table').locator('tbody tr').first().waitFor();
    await page.getByTestId('leaderboard').locator('tbody tr').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'performance.png') });
    await page.getByRole('switch', { name: 'Anonymize' }).check({ force: true });
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid="leaderboard"] tbody tr td:nth-child(2)')];
      return cells.length > 0 && cells.every((c) => /^[A-Z][a-z]+-[0-9A-F]{4}$/.test(c.textContent ?? ''));
    });
  });

  it('Scorecards and Forecast render their data', async () => {
    await page.getByRole('link', { name: 'Scorecards', exact: true }).click();
    await page.getByTestId('scorecards-table').locator('tbody tr').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'scorecards.png') });
    await page.getByRole('link', { name: 'Forecast', exact: true }).click();
    const trend = page.getByTestId('trend-class');
    await trend.waitFor();
    expect(['Accelerating', 'Steady', 'Decelerating', 'Declining']).toContain(
      (await trend.textContent())?.trim(),
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'forecast.png') });
  });

  it('Exports: runs an export to a download link', async () => {
    await page.getByRole('link', { name: 'Exports', exact: true }).click();
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const link = page.getByTestId('export-download');
    await link.waitFor();
    const href = await link.getAttribute('href');
    expect(href).toMatch(/\/v1\/exports\/[0-9a-f-]+\/download\?expires=\d+&sig=/);
    const response = await page.request.get(href as string);
    expect(response.status()).toBe(200);
    expect((await response.text()).split('\n')[0]).toMatch(/^date,user_id,user_email,user_name,events/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'exports.png') });
  });
});

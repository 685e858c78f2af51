import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideExemption } from '../../server/src/budgets/exemptions.js';
import { createBudget } from '../../server/src/budgets/service.js';
import { ADMIN, ingestTokens } from '../../server/src/budgets/testing.js';
import { PASSWORD, setPassword } from '../../server/src/extension/testing.js';
import { type SeededOrg, seedOrg } from '../../server/src/usage/testing.js';
import { type Harness, startFakeSites, startHarness, startRecordingProxy, waitFor } from './helpers.js';

const PROMPT = 'PROMPT-SECRET-91c2';
const NON_AI = 'https://news.example.test/private/diary?q=NONAI-SECRET-55b1';

let dir: string;
let sites: Awaited<ReturnType<typeof startFakeSites>>;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let h: Harness;
let org: SeededOrg;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'toktra-ext-sites-'));
  sites = await startFakeSites(dir);
  h = await startHarness(sites.port);
  proxy = await startRecordingProxy(h.server.url);
  org = await seedOrg(h.server.ctx, 'acme');
  await setPassword(h.server.ctx, org.orgId, org.users.alice);
  page = await h.context.newPage();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await proxy?.close();
  await sites?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ctx = () => h.server.ctx;
const swCall = (fn: 'refreshPreflight' | 'flush') =>
  h.worker.evaluate(
    (name) => (globalThis as unknown as { toktra: Record<string, () => Promise<void>> }).toktra[name]?.(),
    fn,
  );

/** A fetch from the open page, as a web app calling an AI API would. */
async function fetchFromPage(url: string, body?: string): Promise<string> {
  return page.evaluate(
    async ({ url, body }) => {
      try {
        const res = await fetch(
          url,
          body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body } : {},
        );
        return `status ${res.status}`;
      } catch (err) {
        return `failed: ${(err as Error).message}`;
      }
    },
    { url, body },
  );
}

const requestsOf = () =>
  ctx().db.withTenant(org.orgId, ({ db }) =>
    db.selectFrom('extension_requests').selectAll().orderBy('started_at').execute(),
  );

const chatCalls = () => sites.seen.filter((s) => s.host === 'api.openai.com').length;

describe('the extension in Debian Chromium', () => {
  it('enrolls from the options page by signing in', async () => {
    const options = await h.context.newPage();
    await options.goto(`chrome-extension://${h.extensionId}/options.html`);
    await options.fill('#server-url', proxy.url);
    await options.fill('#email', 'alice@acme.test');
    await options.fill('#password', PASSWORD);
    await options.click('button[type=submit]');
    await expect.poll(() => options.textContent('#user'), { timeout: 15_000 }).toContain('alice@acme.test');
    expect(await options.textContent('#status')).toBe('Active');
    await options.close();
  });

  it('reports AI request metadata, and nothing about other sites', async () => {
    // The page is an AI web app (webRequest shows an extension only requests whose initiator it
    // may also see); the non-AI fetch below comes from the same page.
    await page.goto('https://chatgpt.com/');
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] });
    expect(await fetchFromPage('https://api.openai.com/v1/chat/completions', body)).toBe('status 200');
    expect(await fetchFromPage(NON_AI)).toBe('status 200');
    await swCall('flush');
    const row = await waitFor('the request to reach Toktra', async () =>
      (await requestsOf()).find((r) => r.host === 'api.openai.com'),
    );
    // The page load itself (and its favicon) are chat-app requests too; nothing else is there.
    expect(new Set((await requestsOf()).map((r) => r.host))).toEqual(
      new Set(['api.openai.com', 'chatgpt.com']),
    );
    expect(row).toMatchObject({
      host: 'api.openai.com',
      provider: 'openai',
      path_class: 'chat',
      method: 'POST',
      model: 'gpt-4o-mini-2024-07-18',
      status_code: 200,
      user_id: org.users.alice,
    });
    expect(Number(row?.bytes_down)).toBeGreaterThan(3000);
    expect(Number(row?.bytes_up)).toBe(Buffer.byteLength(body));
    const events = await ctx().db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('events').select(['source', 'host', 'model']).execute(),
    );
    expect(events).toContainEqual({
      source: 'extension',
      host: 'api.openai.com',
      model: 'gpt-4o-mini-2024-07-18',
    });
    // One API call (its CORS preflight is not a model call and is not reported) and the page load.
    expect(events.filter((e) => e.host === 'api.openai.com')).toHaveLength(1);
    expect(events.every((e) => e.host === 'api.openai.com' || e.host === 'chatgpt.com')).toBe(true);
  });

  it('blocks a capped user before the provider sees the request, with a notice page', async () => {
    await createBudget(ctx(), org.orgId, ADMIN, {
      department_id: org.departments.backend,
      limit_tokens: 100,
      cap: 'hard',
    });
    await ingestTokens(ctx(), org.orgId, [{ userId: org.users.alice, tokens: 500 }]);
    await ctx().preflight.idle();
    await swCall('refreshPreflight');
    const before = chatCalls();
    const outcome = await fetchFromPage(
      'https://api.openai.com/v1/chat/completions',
      JSON.stringify({ content: PROMPT }),
    );
    expect(outcome).toMatch(/^failed/);
    expect(chatCalls()).toBe(before);

    const pagesBefore = sites.seen.filter((s) => s.host === 'chatgpt.com').length;
    await page.goto('https://chatgpt.com/').catch(() => undefined);
    await page.waitForURL(`chrome-extension://${h.extensionId}/blocked.html`, { timeout: 10_000 });
    expect(sites.seen.filter((s) => s.host === 'chatgpt.com').length).toBe(pagesBefore);
    await expect.poll(() => page.textContent('#reason'), { timeout: 10_000 }).toMatch(/cap/i);
    await page.fill('#justification', 'quarter-end report');
    await page.click('#request-exemption');
    await expect
      .poll(() => page.textContent('#result'), { timeout: 10_000 })
      .toContain('Exemption requested');
  });

  it('lets requests through again once the exemption is approved', async () => {
    const [exemption] = await ctx().db.withTenant(org.orgId, ({ db }) =>
      db.selectFrom('budget_exemptions').select(['id', 'user_id', 'status']).execute(),
    );
    expect(exemption).toMatchObject({ user_id: org.users.alice, status: 'requested' });
    await decideExemption(ctx(), org.orgId, ADMIN, exemption?.id as string, 'approved');
    await swCall('refreshPreflight');
    await page.goto('https://chatgpt.com/');
    const before = chatCalls();
    expect(await fetchFromPage('https://api.openai.com/v1/chat/completions', JSON.stringify({ n: 1 }))).toBe(
      'status 200',
    );
    expect(chatCalls()).toBe(before + 1);
  });

  it('blocks a model above the user’s tier by its URL, and allows a model within it', async () => {
    // No score yet: the tier is "advanced", so an o3 deployment (premium) is refused, gpt-4o is not.
    const deployment = (name: string) =>
      `https://acme.openai.azure.com/openai/deployments/${name}/chat/completions?api-version=2024-06-01`;
    expect(await fetchFromPage(deployment('o3'), '{}')).toMatch(/^failed/);
    expect(await fetchFromPage(deployment('gpt-4o'), '{}')).toBe('status 200');
    expect(sites.seen.filter((s) => s.host === 'acme.openai.azure.com').map((s) => s.path)).toEqual([
      '/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01',
    ]);
  });

  it('sends the Toktra server no body, page or non-AI URL (its own traffic, inspected)', async () => {
    await swCall('flush');
    const sent = proxy.traffic.filter((t) => t.method === 'POST' && t.url === '/v1/extension/events');
    expect(sent.length).toBeGreaterThan(0);
    const everything = JSON.stringify(proxy.traffic);
    for (const secret of [
      PROMPT,
      'RESPONSE-SECRET-7f3a',
      'NONAI-SECRET',
      'news.example.test',
      'intranet.example.test',
      '/v1/chat/completions',
      'diary',
    ]) {
      expect(everything, secret).not.toContain(secret);
    }
    const allowed = [
      'id',
      'started_at',
      'duration_ms',
      'host',
      'path_class',
      'method',
      'model',
      'status_code',
      'bytes_up',
      'bytes_down',
    ];
    for (const t of sent) {
      for (const e of (JSON.parse(t.body) as { events: Array<Record<string, unknown>> }).events) {
        expect(
          Object.keys(e).every((k) => allowed.includes(k)),
          JSON.stringify(e),
        ).toBe(true);
      }
    }
    const hosts = new Set(
      sent.flatMap((t) =>
        (JSON.parse(t.body) as { events: Array<{ host: string }> }).events.map((e) => e.host),
      ),
    );
    expect(
      [...hosts].every((host) => ['api.openai.com', 'acme.openai.azure.com', 'chatgpt.com'].includes(host)),
    ).toBe(true);
  });
});

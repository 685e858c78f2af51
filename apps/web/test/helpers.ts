import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findInStores } from '@toktra/db';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { type Browser, chromium } from 'playwright-core';
import { buildWebApp, webBuildIsStale } from '../../server/src/http/dashboard.js';
import { type RunningServer, startServer } from '../../server/src/server.js';

/**
 * Where browser tests write screenshots: an ignored folder, so a test run never rewrites the
 * tracked images in docs/screenshots. `scripts/update-screenshots.sh` copies them there on purpose.
 */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

/** Debian's Chromium: playwright's own browser download cannot work here. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The demo org's id: it lives in the EU region's store, so look in every store. */
export async function demoOrgId(server: RunningServer): Promise<string> {
  const org = await findInStores(server.ctx.db, ({ db }) =>
    db.selectFrom('orgs').select('id').where('name', '=', 'Acme Demo').executeTakeFirst(),
  );
  if (!org) throw new Error('the demo org is missing');
  return org.id;
}

export interface DemoServer {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/**
 * A real `toktra server --demo` on a random port: the built dashboard (built first if missing or
 * outdated), the seeded demo org, on a fresh database (PGlite in a temp data dir, or a new
 * Postgres database when TEST_DATABASE_URL is set).
 */
export async function startDemoServer(options: { demo?: boolean } = {}): Promise<DemoServer> {
  if (webBuildIsStale()) await buildWebApp();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-web-'));
  let database: TestDatabase | undefined;
  let databaseUrl: string | undefined;
  if (process.env.TEST_DATABASE_URL) {
    database = await createTestDatabase({ migrate: false });
    if ('url' in database.target) databaseUrl = database.target.url;
    await database.db.close();
  }
  const server = await startServer({
    port: 0,
    ingestPort: 0,
    dataDir,
    demo: options.demo ?? true,
    logLevel: 'warn',
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    server,
    url: server.url,
    close: async () => {
      await server.close();
      await database?.drop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const AXE = fileURLToPath(new URL('../../../node_modules/axe-core/axe.min.js', import.meta.url));

/** WCAG 2 A/AA violations on the current page (axe-core), as `rule: target` strings. */
export async function accessibilityViolations(page: import('playwright-core').Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<AxeResult> } })
      .axe;
    type AxeResult = { violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> };
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

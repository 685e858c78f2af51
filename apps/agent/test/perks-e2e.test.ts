import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, dumpTables, type TestDatabase } from '@toktra/db/testing';
import { generatePerkKeyPair, openPersonalUsage, type PerkKeyPair, type SealedEntry } from '@toktra/perks';
import { adminCommands, type RunningServer, startServer } from '@toktra/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curl,
  ensureLocalUser,
  freePort,
  requireTools,
  runToktra,
  spawnAgent,
  startAiServer,
  tempDir,
  waitFor,
} from './e2e-helpers.js';

/**
 * Token Perks from a real agent: personal mode on → the event is sealed on the device to the
 * employee's key and reaches the personal ledger as ciphertext; no corporate event; the employee
 * opens it; a person who has not opted in keeps their personal events on the device.
 */
const MARKER = `PERKS-SECRET-${Math.random().toString(36).slice(2)}`;
const OTHER_USER = 'toktra-e2e';

let pg: TestDatabase | undefined;
let server: RunningServer;
let orgId = '';
let aiPort = 0;
let aiServer: { close(): Promise<void> };
let agent: ChildProcess | undefined;
let session: Record<string, string> = {};
let pair: PerkKeyPair;
const work = tempDir('toktra-perks-e2e-');
const stateDir = path.join(work, 'agent-state');

const personalQueue = () =>
  JSON.parse(readFileSync(path.join(stateDir, 'status.json'), 'utf8')).personal_queue as {
    pending: number;
    kept_local: number;
    shipped: number;
  };
const count = (table: 'events' | 'perk_ledger_entries') =>
  server.ctx.db.withTenant(
    orgId,
    async ({ db }) => (await db.selectFrom(table).select('org_id').execute()).length,
  );

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...session, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

beforeAll(async () => {
  requireTools('tcpdump', 'curl', 'openssl', 'runuser');
  ensureLocalUser(OTHER_USER);
  if (process.env.TEST_DATABASE_URL) pg = await createTestDatabase({ migrate: false });
  server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    ingestPort: await freePort(),
    dataDir: path.join(work, 'server'),
    ...(pg ? { databaseUrl: (pg.target as { url: string }).url } : {}),
    worker: false,
    logLevel: 'warn',
  });
  const ctx = server.ctx;
  const created = (await adminCommands['org.create'].run(ctx, {
    name: 'Perks E2E',
    adminEmail: 'it@perks.test',
  })) as {
    org_id: string;
    admin_password: string;
  };
  orgId = created.org_id;
  // The employee signs in to the portal (the org's first user owns the device below).
  const signIn = await fetch(`${server.url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'it@perks.test', password: created.admin_password }),
  });
  expect(signIn.status).toBe(200);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  session = { cookie, 'x-csrf-token': ((await signIn.json()) as { csrf_token: string }).csrf_token };
  const me = await api('GET', '/v1/me');
  const userId = (me.body.user as { id: string }).id;
  const { token } = (await adminCommands['enroll-token.create'].run(ctx, {
    orgId,
    uses: 1,
    ttl: '1h',
    userId,
  })) as {
    token: string;
  };
  const enrolled = await runToktra([
    'agent',
    'enroll',
    '--server',
    server.url,
    '--token',
    token,
    '--state-dir',
    stateDir,
  ]);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  // OTHER_USER's personal events belong to a colleague who has not opted in.
  await ctx.db.withTenant(orgId, async ({ db }) => {
    const bob = await db
      .insertInto('users')
      .values({ org_id: orgId, email: 'bob@perks.test', name: 'Bob', role: 'employee' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('os_user_mappings')
      .values({ org_id: orgId, device_id: null, os_user: OTHER_USER, user_id: bob.id })
      .execute();
  });
  // Opt in as the portal does: the key pair is made client-side; only the public key is sent.
  pair = await generatePerkKeyPair();
  const optIn = await api('POST', '/v1/me/perks/enrollment', { public_key: pair.publicKey });
  expect(optIn.status).toBe(201);
  aiPort = await freePort();
  aiServer = await startAiServer(work, aiPort, MARKER);
  agent = spawnAgent(stateDir, aiPort);
  await waitFor(
    'the agent to capture',
    async () => {
      try {
        return (
          JSON.parse(readFileSync(path.join(stateDir, 'status.json'), 'utf8')).capture?.capturing === true
        );
      } catch {
        return undefined;
      }
    },
    60_000,
  );
  expect((await runToktra(['agent', 'personal', 'on', '--state-dir', stateDir])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  agent?.kill('SIGKILL');
  await aiServer?.close();
  await server?.close();
  await pg?.drop();
});

describe('Token Perks from the agent', () => {
  it('seals the personal event on the device; the ledger gets ciphertext, corporate tables nothing', async () => {
    await curl('api.openai.com', aiPort, MARKER);
    await waitFor(
      'a sealed entry at the server',
      async () => ((await count('perk_ledger_entries')) === 1 ? true : undefined),
      60_000,
    );
    expect(await count('events')).toBe(0);
    await waitFor('the agent to count it shipped', () => (personalQueue().shipped === 1 ? true : undefined));
    expect(personalQueue()).toMatchObject({ pending: 0, kept_local: 0 });

    // No table holds the host, the marker or the event's byte counts in clear.
    const rows = (await dumpTables(server.ctx.db)).map((r) => r.row);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      expect(row).not.toContain('api.openai.com');
      expect(row).not.toContain(MARKER);
    }

    // The employee (and only they) can open it.
    const entries = await api('GET', '/v1/me/perks/entries');
    const [entry] = entries.body.data as SealedEntry[];
    const usage = await openPersonalUsage(pair.privateKey, entry as SealedEntry);
    expect(usage).toMatchObject({
      host: 'api.openai.com',
      provider: 'openai',
      source: 'agent',
      transport: 'tcp',
    });
    expect(usage.bytes_down).toBeGreaterThan(4000);
    // The device's own estimate (a 4 kB answer is mostly TLS/HTTP overhead to the estimator).
    expect(usage.est_output_tokens).toBeGreaterThanOrEqual(0);
    expect(usage.product).toBe('api');
  }, 120_000);

  it('keeps a personal event of someone who has not opted in on the device', async () => {
    await curl('api.anthropic.com', aiPort, MARKER, OTHER_USER);
    await waitFor(
      'the event kept local',
      () => (personalQueue().kept_local === 1 ? true : undefined),
      60_000,
    );
    expect(personalQueue()).toMatchObject({ pending: 1, shipped: 1 });
    expect(await count('perk_ledger_entries')).toBe(1);
    expect(await count('events')).toBe(0);
  }, 120_000);

  it('after opt-out, new personal events stay on the device too', async () => {
    expect((await api('DELETE', '/v1/me/perks/enrollment')).status).toBe(204);
    expect(await count('perk_ledger_entries')).toBe(0);
    await curl('api.openai.com', aiPort, MARKER);
    await waitFor(
      'the event kept local',
      () => (personalQueue().kept_local === 2 ? true : undefined),
      60_000,
    );
    expect(await count('perk_ledger_entries')).toBe(0);
    expect(await count('events')).toBe(0);
  }, 120_000);
});

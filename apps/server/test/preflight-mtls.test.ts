import { newEventId } from '@toktra/core';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBudget } from '../src/budgets/service.js';
import { createEnrollToken } from '../src/enrollment/tokens.js';
import { createOrg } from '../src/orgs/service.js';
import { type RunningServer, startServer } from '../src/server.js';
import { tempDir } from './cli-helpers.js';
import { enrollOverHttp, ingestRequest, type TlsIdentity } from './mtls-helpers.js';

let pg: TestDatabase | undefined;
let server: RunningServer;
let rootPem: string;
const cli = { type: 'cli', id: null } as const;

beforeAll(async () => {
  let databaseUrl: string | undefined;
  if (process.env.TEST_DATABASE_URL) {
    pg = await createTestDatabase({ migrate: false });
    databaseUrl = (pg.target as { url: string }).url;
  }
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: tempDir(),
    databaseUrl,
    logLevel: 'silent',
    worker: false,
  });
  rootPem = (await server.ctx.pki.root)?.pem ?? '';
});
afterAll(async () => {
  await server?.close();
  await pg?.drop();
});

async function enrolledOrg(name: string) {
  const org = await createOrg(server.ctx.db, { name, adminEmail: `owner@${name}.test` });
  const { token } = await createEnrollToken(server.ctx.db, org.orgId, cli, {
    maxUses: 1,
    ttlMs: 60_000,
    ownerUserId: org.adminUserId,
  });
  const { identity } = await enrollOverHttp(server.url, token, 'laptop');
  return { ...org, identity };
}

describe('preflight on the mTLS ingest server', () => {
  it('answers from the device certificate’s org; a hard cap reached by agent usage denies', async () => {
    const a = await enrolledOrg('pf-mtls-a');
    const b = await enrolledOrg('pf-mtls-b');
    await createBudget(server.ctx, a.orgId, cli, { limit_tokens: 50, cap: 'hard' });
    const ask = (identity: TlsIdentity, body: unknown) =>
      ingestRequest(server.ingestUrl, '/ingest/v1/preflight', { ca: rootPem, identity, body });
    const first = await ask(a.identity, { user_id: a.adminUserId, estimated_tokens: 0 });
    expect(first).toMatchObject({ status: 200, body: { allow: true, remaining_tokens: 50 } });
    // The agent's own usage (bytes → estimated tokens) arrives over the same mTLS server.
    const batch = await ingestRequest(server.ingestUrl, '/ingest/v1/batches', {
      ca: rootPem,
      identity: a.identity,
      body: {
        events: [
          {
            id: newEventId(),
            occurred_at: new Date().toISOString(),
            host: 'api.openai.com',
            transport: 'tcp',
            bytes_up: 40_000,
            bytes_down: 40_000,
          },
        ],
      },
    });
    expect(batch.status).toBe(200);
    expect((await ask(a.identity, { user_id: a.adminUserId })).body).toMatchObject({
      allow: false,
      code: 'hard_cap',
    });
    // Another org's device cannot ask about org A's user (404), and bad input is a 400.
    expect((await ask(b.identity, { user_id: a.adminUserId })).status).toBe(404);
    expect((await ask(a.identity, { provider: 'openai' })).status).toBe(400);
    // No certificate: refused before any route runs.
    expect((await ask({}, { user_id: a.adminUserId })).status).not.toBe(200);
  });
});

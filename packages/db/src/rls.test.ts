import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionStore } from './database.js';
import { migrateToLatest } from './migrate.js';
import { type DB, TENANT_TABLES } from './schema/index.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

let handle: TestDatabase;
let db: RegionStore;
let orgA: string;
let orgB: string;

async function seedOrg(name: string): Promise<string> {
  return db.system(async ({ db: trx }) => {
    const org = await trx.insertInto('orgs').values({ name }).returning('id').executeTakeFirstOrThrow();
    const dept = await trx
      .insertInto('departments')
      .values({ org_id: org.id, name: `${name} engineering` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await trx
      .insertInto('users')
      .values({ org_id: org.id, email: `admin@${name}.test`, name: 'Admin', department_id: dept.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const device = await trx
      .insertInto('devices')
      .values({ org_id: org.id, hostname: `${name}-laptop`, owner_user_id: user.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await seedUsageRows(trx, org.id, device.id, user.id);
    await seedBudgetRows(trx, org.id, dept.id, user.id);
    await seedAuthRows(trx, org.id, user.id);
    await seedGovernanceRows(trx, org.id, dept.id, user.id);
    await trx
      .insertInto('enroll_tokens')
      .values({
        org_id: org.id,
        token_hash: `h_${name}`,
        max_uses: 1,
        expires_at: new Date(Date.now() + 3_600_000),
      })
      .execute();
    await trx
      .insertInto('api_keys')
      .values({ org_id: org.id, name: 'k', key_prefix: `p_${name}`, key_hash: 'h', scopes: ['read'] })
      .execute();
    await trx
      .insertInto('audit_log')
      .values({
        org_id: org.id,
        seq: 1,
        at: new Date(),
        actor_type: 'system',
        action: 'org.create',
        details: {},
        prev_hash: '',
        hash: 'x',
      })
      .execute();
    return org.id;
  });
}

/** One row in each usage table (events, rollups, mappings, catalogue entries). */
async function seedUsageRows(trx: Transaction<DB>, orgId: string, deviceId: string, userId: string) {
  const key = { org_id: orgId, user_id: userId, department_id: null, provider: 'openai', model: null };
  const sums = {
    events: 1,
    bytes_up: 1,
    bytes_down: 1,
    duration_ms: 0,
    est_input_tokens: 1,
    est_output_tokens: 1,
  };
  const rollup = {
    ...key,
    ...sums,
    category: 'llm-api',
    source: 'agent',
    reported_input_tokens: 0,
    reported_output_tokens: 0,
  };
  await trx
    .insertInto('events')
    .values({
      ...key,
      id: randomUUID(),
      occurred_at: new Date(),
      ended_at: null,
      device_id: deviceId,
      api_key_id: null,
      manager_id: null,
      os_user: null,
      source: 'agent',
      host: 'api.openai.com',
      product: 'api',
      category: 'llm-api',
      transport: 'tcp',
      bytes_up: 1,
      bytes_down: 1,
      duration_ms: null,
      est_input_tokens: 0,
      est_output_tokens: 0,
      token_method: 'bytes:v1:openai/api',
    })
    .execute();
  await trx
    .insertInto('usage_hourly')
    .values({ ...rollup, bucket: new Date() })
    .execute();
  await trx
    .insertInto('usage_daily')
    .values({ ...rollup, bucket: '2026-01-01' })
    .execute();
  await trx
    .insertInto('os_user_mappings')
    .values({ org_id: orgId, device_id: deviceId, os_user: 'x', user_id: userId })
    .execute();
  await trx
    .insertInto('org_catalogue_entries')
    .values({
      org_id: orgId,
      host: 'llm.corp.example',
      match: 'exact',
      provider: 'corp',
      product: 'api',
      category: 'llm-api',
    })
    .execute();
}

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
  orgA = await seedOrg('alpha');
  orgB = await seedOrg('beta');
});
afterAll(() => handle.drop());

describe('migrations', () => {
  it('are idempotent: a second run applies nothing and keeps data', async () => {
    expect(await migrateToLatest(db.kysely)).toEqual([]);
    const orgs = await db.system(({ db: trx }) => trx.selectFrom('orgs').select('id').execute());
    expect(orgs).toHaveLength(2);
  });
});

/** Tables with an org_id that only the owner (the server itself) reads: never reachable by the app role. */
const SYSTEM_TABLES = new Set(['jobs', 'certificate_authorities']);

/** Tables this file puts rows into for both orgs, so the isolation check below reads real data. */
const SEEDED = [
  'departments',
  'users',
  'devices',
  'api_keys',
  'audit_log',
  'events',
  'usage_hourly',
  'usage_daily',
  'os_user_mappings',
  'org_catalogue_entries',
];

describe('row-level security', () => {
  it('covers every table that has an org_id: forced RLS with the tenant policy', async () => {
    const tables = await sql<{ relname: string; rls: boolean; force: boolean; policy: string | null }>`
      SELECT c.relname, c.relrowsecurity AS rls, c.relforcerowsecurity AS force,
        (SELECT pg_get_expr(p.polqual, p.polrelid) FROM pg_policy p
          WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') AS policy
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id'
      WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace`.execute(db.kysely);
    const tenant = tables.rows.filter((t) => !SYSTEM_TABLES.has(t.relname));
    expect(tenant.length).toBeGreaterThanOrEqual(TENANT_TABLES.length);
    for (const t of tenant) {
      expect({
        table: t.relname,
        listed: (TENANT_TABLES as readonly string[]).includes(t.relname),
        rls: t.rls,
        force: t.force,
      }).toEqual({ table: t.relname, listed: true, rls: true, force: true });
      expect(t.policy, t.relname).toMatch(
        /org_id = \(NULLIF\(current_setting\('app\.org_id'::text, true\), ''::text\)\)::uuid/,
      );
    }
  });

  it('keeps system tables out of the app role’s reach', async () => {
    // Tenant transactions may enqueue jobs (INSERT, and the dedupe columns), never read payloads.
    for (const query of [
      sql`SELECT * FROM certificate_authorities LIMIT 1`,
      sql`SELECT payload FROM jobs LIMIT 1`,
    ]) {
      await expect(db.withTenant(orgB, ({ db: trx }) => query.execute(trx))).rejects.toThrow(
        /permission denied/,
      );
    }
  });

  it.each([...TENANT_TABLES])('%s: an unscoped query in org B sees none of org A', async (table) => {
    const rows = await db.withTenant(orgB, ({ db: trx }) => trx.selectFrom(table).select('org_id').execute());
    if (SEEDED.includes(table)) expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.org_id === orgB)).toBe(true);
  });

  it('orgs: a tenant sees only its own org row', async () => {
    const rows = await db.withTenant(orgB, ({ db: trx }) => trx.selectFrom('orgs').select('id').execute());
    expect(rows.map((r) => r.id)).toEqual([orgB]);
  });

  it('refuses writing a row into another org', async () => {
    await expect(
      db.withTenant(orgB, ({ db: trx }) =>
        trx.insertInto('users').values({ org_id: orgA, email: 'x@evil.test', name: 'X' }).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('cannot update or delete another org’s rows, even unscoped', async () => {
    const updated = await db.withTenant(orgB, ({ db: trx }) =>
      trx.updateTable('users').set({ name: 'owned' }).executeTakeFirst(),
    );
    expect(Number(updated.numUpdatedRows)).toBe(1);
    const aNames = await db.system(({ db: trx }) =>
      trx.selectFrom('users').select('name').where('org_id', '=', orgA).execute(),
    );
    expect(aNames.map((u) => u.name)).toEqual(['Admin']);
  });

  it('with no tenant set the app role sees nothing', async () => {
    const rows = await db.system(async ({ db: trx }) => {
      await sql`SET LOCAL ROLE toktra_app`.execute(trx);
      return trx.selectFrom('users').select('id').execute();
    });
    expect(rows).toEqual([]);
  });

  it('a malformed tenant id is not found, not an SQL error', async () => {
    await expect(db.withTenant('nope', async () => 1)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('audit_log', () => {
  it('is append-only, even for the owner', async () => {
    await expect(
      db.system(({ db: trx }) => trx.deleteFrom('audit_log').where('org_id', '=', orgA).execute()),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.system(({ db: trx }) => trx.updateTable('audit_log').set({ action: 'x' }).execute()),
    ).rejects.toThrow(/append-only/);
  });
});

describe('transactions', () => {
  it('run commit hooks only after commit, and not after rollback', async () => {
    const seen: string[] = [];
    await db.withTenant(orgA, async (tx) => {
      tx.onCommit(() => {
        seen.push('committed');
      });
      expect(seen).toEqual([]);
    });
    await expect(
      db.withTenant(orgA, async (tx) => {
        tx.onCommit(() => {
          seen.push('rolled back');
        });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toEqual(['committed']);
  });
});

/** One row in each budgets table (budgets, periods, rollovers, exemptions, prices, blocks). */
async function seedBudgetRows(trx: Transaction<DB>, orgId: string, deptId: string, userId: string) {
  const budget = await trx
    .insertInto('budgets')
    .values({ org_id: orgId, department_id: deptId, limit_tokens: 1000, cap: 'hard', thresholds: '[80]' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ref = { org_id: orgId, budget_id: budget.id };
  await trx
    .insertInto('budget_periods')
    .values({ ...ref, period: '2026-01', limit_amount: 1000, spent: null, closed_at: null })
    .execute();
  await trx
    .insertInto('budget_rollovers')
    .values({
      ...ref,
      from_period: '2026-01',
      to_period: '2026-02',
      limit_amount: 1000,
      rollover_in: 0,
      spent: 0,
      unused: 1000,
      cap_pct: 10,
      amount: 100,
    })
    .execute();
  await trx
    .insertInto('budget_exemptions')
    .values({
      ...ref,
      user_id: userId,
      period: '2026-01',
      kind: 'lift',
      raise_tokens: null,
      requested_by_type: 'user',
      requested_by: userId,
      decided_by: null,
      decided_at: null,
      decision_note: null,
    })
    .execute();
  await trx
    .insertInto('model_prices')
    .values({ org_id: orgId, provider: 'openai', model: '*', input_per_mtok: 1, output_per_mtok: 2 })
    .execute();
  await trx
    .insertInto('user_blocks')
    .values({ org_id: orgId, user_id: userId, reason: 'test', until: null })
    .execute();
}

/** One row in each auth table (dashboard sessions, OIDC issuer config). */
async function seedAuthRows(trx: Transaction<DB>, orgId: string, userId: string) {
  await trx
    .insertInto('sessions')
    .values({
      org_id: orgId,
      user_id: userId,
      token_hash: `h-${orgId}`,
      auth_method: 'password',
      expires_at: new Date(Date.now() + 3_600_000),
      user_agent: null,
    })
    .execute();
  await trx
    .insertInto('oidc_configs')
    .values({ org_id: orgId, issuer_url: 'https://idp.test', client_id: 'c', client_secret_enc: 'x' })
    .execute();
}

/** One row in each governance table (policies, firings, signals, risk, GitHub, incidents, alerts, webhooks). */
async function seedGovernanceRows(trx: Transaction<DB>, orgId: string, deptId: string, userId: string) {
  const policy = await trx
    .insertInto('policies')
    .values({ org_id: orgId, published_version: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('policy_versions')
    .values({
      org_id: orgId,
      policy_id: policy.id,
      version: 1,
      name: 'p',
      description: '',
      severity: 'low',
      trigger: '{"type":"ip_risk","params":{}}',
      conditions: 'null',
      actions: '[]',
      created_by: null,
    })
    .execute();
  await trx
    .insertInto('policy_firings')
    .values({
      org_id: orgId,
      policy_id: policy.id,
      version: 1,
      trigger_type: 'ip_risk',
      dedupe_key: 'k',
      subject: '{}',
    })
    .execute();
  await trx
    .insertInto('governance_signals')
    .values({ org_id: orgId, kind: 'shadow_ai.gap', occurred_at: new Date(), payload: '{}' })
    .execute();
  await trx
    .insertInto('risk_events')
    .values({
      org_id: orgId,
      source: 'github',
      kind: 'repository_publicized',
      level: 'critical',
      occurred_at: new Date(),
      user_id: userId,
      department_id: deptId,
      external_login: 'x',
      repository: null,
      delivery_id: null,
      details: '{}',
    })
    .execute();
  await trx.insertInto('github_integrations').values({ org_id: orgId, webhook_secret: 'enc' }).execute();
  await trx
    .insertInto('github_user_mappings')
    .values({ org_id: orgId, login: 'x', user_id: userId })
    .execute();
  const incident = await trx
    .insertInto('incidents')
    .values({
      org_id: orgId,
      title: 't',
      severity: 'low',
      assignee_id: null,
      user_id: null,
      policy_id: null,
      firing_id: null,
      resolved_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('incident_events')
    .values({
      org_id: orgId,
      incident_id: incident.id,
      actor_type: 'system',
      actor_id: null,
      kind: 'created',
      details: '{}',
    })
    .execute();
  await trx
    .insertInto('alerts')
    .values({
      org_id: orgId,
      severity: 'low',
      title: 'a',
      body: '',
      source: 'policy',
      source_id: null,
      user_id: null,
      department_id: null,
      details: '{}',
      acknowledged_by: null,
      acknowledged_at: null,
    })
    .execute();
  const endpoint = await trx
    .insertInto('webhook_endpoints')
    .values({
      org_id: orgId,
      url: 'https://hooks.example',
      description: '',
      event_types: [],
      secret: 'enc',
      disabled_reason: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('webhook_deliveries')
    .values({
      org_id: orgId,
      endpoint_id: endpoint.id,
      event_type: 'alert.created',
      payload: '{}',
      next_attempt_at: null,
      last_status_code: null,
      last_error: null,
      delivered_at: null,
    })
    .execute();
}

import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicClient } from '../src/reconciliation/clients/anthropic.js';
import { createAzureOpenAiClient } from '../src/reconciliation/clients/azure-openai.js';
import { createVertexClient } from '../src/reconciliation/clients/google-vertex.js';
import { createOpenAiClient } from '../src/reconciliation/clients/openai.js';
import { ProviderError } from '../src/reconciliation/http.js';
import type { ReconciledBucket } from '../src/reconciliation/types.js';
import { startAnthropicFake } from './fakes/anthropic-fake.js';
import { startAzureOpenAiFake } from './fakes/azure-openai-fake.js';
import { type FakeServer, type FakeUsage, HOUR, totalInput } from './fakes/fake-server.js';
import { makeServiceAccount, startVertexFake } from './fakes/google-vertex-fake.js';
import { startOpenAiFake } from './fakes/openai-fake.js';

const FAST = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 5_000 };
const T0 = Date.UTC(2026, 10, 1);
const window = { start: new Date(T0), end: new Date(T0 + 10 * 86_400_000) };

/** Ten days of hourly usage over two models and projects, with caches. */
function sampleUsage(): FakeUsage[] {
  const out: FakeUsage[] = [];
  for (let h = 0; h < 240; h += 3) {
    out.push({
      hour: new Date(T0 + h * HOUR),
      model: h % 2 ? 'gpt-4o-mini' : 'gpt-4.1',
      project: h % 2 ? 'proj_a' : 'proj_b',
      workspace: h % 2 ? 'wrkspc_a' : null,
      apiKey: `key_${h % 4}`,
      input: 1000 + h,
      cachedInput: 200,
      cacheWrite5m: 50,
      cacheWrite1h: 25,
      output: 300 + h,
      requests: 3,
    });
  }
  return out;
}

const sum = (xs: ReconciledBucket[], f: (b: ReconciledBucket) => number) => xs.reduce((s, b) => s + f(b), 0);

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('OpenAI client', () => {
  it('follows next_page across pages and reports input_tokens with cached tokens inside', async () => {
    const usage = sampleUsage();
    fake = await startOpenAiFake({ adminKey: 'sk-admin-good-key-0000000000', usage, maxBucketsPerPage: 50 });
    const client = createOpenAiClient(
      { admin_key: 'sk-admin-good-key-0000000000' },
      { baseUrl: fake.url, retry: FAST },
    );
    const buckets = await client.fetchUsage(window);
    expect(fake.requests.length).toBe(Math.ceil(240 / 50));
    // Every page keeps the other params; group_by uses repeated keys.
    for (const r of fake.requests) {
      expect(r.query.getAll('group_by')).toEqual(['project_id', 'model', 'api_key_id']);
      expect(r.query.get('bucket_width')).toBe('1h');
    }
    expect(fake.requests[1]?.query.get('page')).toBeTruthy();
    expect(sum(buckets, (b) => b.inputTokens)).toBe(usage.reduce((s, u) => s + totalInput(u), 0));
    expect(sum(buckets, (b) => b.cachedInputTokens)).toBe(usage.length * 200);
    expect(sum(buckets, (b) => b.outputTokens)).toBe(usage.reduce((s, u) => s + u.output, 0));
    expect(new Set(buckets.map((b) => b.projectId))).toEqual(new Set(['proj_a', 'proj_b']));
    expect(buckets.every((b) => b.bucketStart.getTime() % HOUR === 0)).toBe(true);
  });

  it('keeps a partial first bucket (unaligned start_time) on the hour it belongs to', async () => {
    const usage = sampleUsage();
    fake = await startOpenAiFake({ adminKey: 'sk-admin-good-key-0000000000', usage });
    const client = createOpenAiClient(
      { admin_key: 'sk-admin-good-key-0000000000' },
      { baseUrl: fake.url, retry: FAST },
    );
    // 00:30 → the fake's first bucket runs 00:30-01:00, the next ones are aligned.
    const buckets = await client.fetchUsage({
      start: new Date(T0 + 30 * 60_000),
      end: new Date(T0 + 6 * HOUR),
    });
    expect(buckets.every((b) => b.bucketStart.getTime() % HOUR === 0)).toBe(true);
    expect(buckets.map((b) => b.bucketStart.getTime())).toEqual([T0 + 3 * HOUR]);
  });

  it('retries 429 honouring Retry-After, then succeeds', async () => {
    fake = await startOpenAiFake({ adminKey: 'sk-admin-good-key-0000000000', usage: sampleUsage() });
    fake.throttle(2, '1');
    const client = createOpenAiClient(
      { admin_key: 'sk-admin-good-key-0000000000' },
      { baseUrl: fake.url, retry: FAST },
    );
    const started = Date.now();
    await client.testConnection();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(fake.requests.length).toBe(3);
  });

  it('gives up after bounded retries with a plain throttling error', async () => {
    fake = await startOpenAiFake({ adminKey: 'sk-admin-good-key-0000000000', usage: [] });
    fake.throttle(10, '0');
    const client = createOpenAiClient(
      { admin_key: 'sk-admin-good-key-0000000000' },
      { baseUrl: fake.url, retry: FAST },
    );
    await expect(client.testConnection()).rejects.toThrow(
      /OpenAI kept throttling requests \(429 rate_limit_exceeded\)/,
    );
    expect(fake.requests.length).toBe(FAST.maxAttempts);
  });

  it('reports a wrong admin key plainly', async () => {
    fake = await startOpenAiFake({ adminKey: 'sk-admin-good-key-0000000000', usage: [] });
    const client = createOpenAiClient(
      { admin_key: 'sk-admin-wrong-key-000000000' },
      { baseUrl: fake.url, retry: FAST },
    );
    const error = await client.testConnection().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('auth');
    expect((error as Error).message).toMatch(/^OpenAI rejected the admin key \(401 invalid_api_key\)/);
  });

  it('reads costs in dollars', async () => {
    fake = await startOpenAiFake({
      adminKey: 'sk-admin-good-key-0000000000',
      usage: [],
      costs: [{ day: '2026-11-02', value: 1.84, lineItem: 'gpt-4o-mini, input', project: 'proj_a' }],
    });
    const client = createOpenAiClient(
      { admin_key: 'sk-admin-good-key-0000000000' },
      { baseUrl: fake.url, retry: FAST },
    );
    const costs = await client.fetchCosts(window);
    expect(costs).toEqual([
      {
        day: '2026-11-02',
        amountUsd: 1.84,
        description: 'gpt-4o-mini, input',
        projectId: 'proj_a',
        workspaceId: null,
      },
    ]);
  });
});

describe('Anthropic client', () => {
  const key = 'sk-ant-admin01-good-key-00000';
  it('pages with the opaque cursor, sums nested cache_creation into input', async () => {
    const usage = sampleUsage();
    fake = await startAnthropicFake({ adminKey: key, usage, maxBucketsPerPage: 100 });
    const client = createAnthropicClient({ admin_key: key }, { baseUrl: fake.url, retry: FAST });
    const buckets = await client.fetchUsage(window);
    expect(fake.requests.length).toBe(3);
    expect(fake.requests[0]?.query.getAll('group_by[]')).toEqual(['model', 'workspace_id', 'api_key_id']);
    expect(fake.requests[2]?.query.get('page')).toMatch(/^page_/);
    expect(sum(buckets, (b) => b.inputTokens)).toBe(usage.reduce((s, u) => s + totalInput(u), 0));
    expect(sum(buckets, (b) => b.cacheWriteTokens)).toBe(usage.length * 75);
    expect(sum(buckets, (b) => b.cachedInputTokens)).toBe(usage.length * 200);
    expect(buckets.every((b) => b.requests === null)).toBe(true);
    // The default workspace is null.
    expect(new Set(buckets.map((b) => b.workspaceId))).toEqual(new Set(['wrkspc_a', null]));
  });

  it('retries 429 and reports a wrong key plainly', async () => {
    fake = await startAnthropicFake({ adminKey: key, usage: [] });
    fake.throttle(1, '0');
    await createAnthropicClient({ admin_key: key }, { baseUrl: fake.url, retry: FAST }).testConnection();
    expect(fake.requests.length).toBe(2);
    const bad = createAnthropicClient(
      { admin_key: 'sk-ant-admin01-wrong-key-0000' },
      { baseUrl: fake.url, retry: FAST },
    );
    await expect(bad.testConnection()).rejects.toThrow(
      'Anthropic rejected the admin key (401 authentication_error): invalid x-api-key',
    );
  });

  it('reads cost_report amounts as cents', async () => {
    fake = await startAnthropicFake({
      adminKey: key,
      usage: [],
      costs: [
        {
          day: '2026-11-03',
          cents: '291.9015',
          description: 'Claude Haiku 4.5 Usage - Input Tokens',
          workspace: null,
        },
      ],
    });
    const costs = await createAnthropicClient({ admin_key: key }, { baseUrl: fake.url }).fetchCosts(window);
    expect(costs[0]?.amountUsd).toBeCloseTo(2.919015, 6);
  });
});

describe('Azure OpenAI client', () => {
  const rid = (a: string) =>
    `/subscriptions/sub-1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/${a}`;
  const creds = (secret: string) => ({
    tenant_id: 'tenant-1',
    client_id: 'client-1',
    client_secret: secret,
    resource_ids: [rid('contoso-aoai'), rid('contoso-eu')],
  });

  it('gets a token, sets top so no deployment is lost, splits ranges, treats missing totals as 0', async () => {
    // 12 deployments: more than the default top of 10.
    const usage: FakeUsage[] = [];
    for (let d = 0; d < 12; d++) {
      for (let h = 0; h < 240; h += 7)
        usage.push({
          hour: new Date(T0 + h * HOUR),
          model: `dep-${d}`,
          input: 100 + d,
          output: 10 + d,
          requests: 2,
        });
    }
    const eu: FakeUsage[] = [{ hour: new Date(T0 + 5 * HOUR), model: 'gpt-4o-eu', input: 5000, output: 700 }];
    fake = await startAzureOpenAiFake({
      tenantId: 'tenant-1',
      clientId: 'client-1',
      clientSecret: 'right',
      usage: { 'contoso-aoai': usage, 'contoso-eu': eu },
    });
    const client = createAzureOpenAiClient(creds('right'), { baseUrl: fake.url, retry: FAST });
    fake.throttle(1, '0');
    const buckets = await client.fetchUsage(window);
    const metricCalls = fake.requests.filter((r) => r.method === 'GET');
    expect(
      metricCalls.every(
        (r) => r.query.get('top') === '1000' && r.query.get('$filter') === "ModelDeploymentName eq '*'",
      ),
    ).toBe(true);
    expect(metricCalls.every((r) => !(r.query.get('metricnames') ?? '').includes('TokenTransaction'))).toBe(
      true,
    );
    // 10 days in 7-day chunks = 2 calls per account (+1 retried 429 on the token call).
    expect(metricCalls.length).toBe(4);
    expect(fake.requests.filter((r) => r.method === 'POST').length).toBe(2);
    expect(new Set(buckets.map((b) => b.model)).size).toBe(13);
    expect(sum(buckets, (b) => b.inputTokens)).toBe(usage.reduce((s, u) => s + u.input, 0) + 5000);
    expect(sum(buckets, (b) => b.outputTokens)).toBe(usage.reduce((s, u) => s + u.output, 0) + 700);
    expect(buckets.find((b) => b.model === 'gpt-4o-eu')?.projectId).toBe('contoso-eu');
  });

  it('reports a wrong client secret plainly', async () => {
    fake = await startAzureOpenAiFake({
      tenantId: 'tenant-1',
      clientId: 'client-1',
      clientSecret: 'right',
      usage: { 'contoso-aoai': [] },
    });
    const client = createAzureOpenAiClient(creds('wrong'), { baseUrl: fake.url, retry: FAST });
    await expect(client.testConnection()).rejects.toThrow(
      'Microsoft Entra ID rejected the client credentials (401 invalid_client): AADSTS7000215: Invalid client secret provided.',
    );
  });
});

describe('Vertex client', () => {
  it('signs a service-account JWT, pages by points, parses int64 strings', async () => {
    const sa = makeServiceAccount('acme-ai');
    const usage: FakeUsage[] = [];
    for (let h = 0; h < 240; h += 2) {
      usage.push({
        hour: new Date(T0 + h * HOUR),
        model: h % 4 ? 'gemini-2.5-flash' : 'gemini-2.5-pro',
        input: 4_000_000_000 + h,
        output: 900 + h,
      });
    }
    fake = await startVertexFake({
      clientEmail: sa.clientEmail,
      publicKey: sa.publicKey,
      usage: { 'acme-ai': usage },
      maxPointsPerPage: 100,
    });
    const client = createVertexClient({ service_account: sa.keyFile }, { baseUrl: fake.url, retry: FAST });
    const buckets = await client.fetchUsage(window);
    const lists = fake.requests.filter((r) => r.method === 'GET');
    expect(lists.length).toBe(Math.ceil(240 / 100) + 0);
    expect(lists[0]?.query.getAll('aggregation.groupByFields')).toEqual([
      'resource.label.model_user_id',
      'metric.label.type',
    ]);
    expect(lists[1]?.query.get('pageToken')).toBe('100');
    // int64 beyond 2^31 survives.
    expect(sum(buckets, (b) => b.inputTokens)).toBe(usage.reduce((s, u) => s + u.input, 0));
    expect(sum(buckets, (b) => b.outputTokens)).toBe(usage.reduce((s, u) => s + u.output, 0));
    expect(buckets.every((b) => b.projectId === 'acme-ai')).toBe(true);
  });

  it('refuses partial results (executionErrors) rather than overwrite stored buckets', async () => {
    const sa = makeServiceAccount('acme-ai');
    fake = await startVertexFake({
      clientEmail: sa.clientEmail,
      publicKey: sa.publicKey,
      usage: { 'acme-ai': [] },
      executionErrors: true,
    });
    const client = createVertexClient({ service_account: sa.keyFile }, { baseUrl: fake.url, retry: FAST });
    await expect(client.fetchUsage(window)).rejects.toThrow(
      /Cloud Monitoring returned partial data: .*unavailable/,
    );
  });

  it('reports a key the token endpoint rejects plainly', async () => {
    const sa = makeServiceAccount('acme-ai');
    const other = makeServiceAccount('acme-ai');
    fake = await startVertexFake({
      clientEmail: sa.clientEmail,
      publicKey: sa.publicKey,
      usage: { 'acme-ai': [] },
    });
    const client = createVertexClient(
      { service_account: { ...sa.keyFile, private_key: other.keyFile.private_key } },
      { baseUrl: fake.url, retry: FAST },
    );
    await expect(client.testConnection()).rejects.toThrow(
      /Google OAuth answered 400 invalid_grant: Invalid JWT Signature/,
    );
  });
});

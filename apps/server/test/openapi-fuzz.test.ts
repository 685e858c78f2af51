import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAuthOrg, signInForTest, type TestSession, type TestUsers } from '../src/auth/testing.js';
import { resolveConfig } from '../src/config.js';
import { type AppContext, createContext } from '../src/context.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { type JsonSchema, MUTATIONS, validValue } from './fuzz/schema-arbitrary.js';

/**
 * Schema-driven fuzz of the whole OpenAPI document: for every operation, valid cases generated
 * from its schemas plus mutated ones (NUL, lone surrogates, impossible dates, numbers past their
 * columns, deep nesting, wrong types), as the org owner and anonymously. Every answer must be a
 * documented status, never a 5xx, and every JSON body must match its declared schema.
 * Seeded and bounded (a few thousand app.inject calls) so it runs in CI on both engines.
 */

const SEED = 16;
const VALID_CASES = 4;

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  method: string;
  path: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}
interface Case {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: unknown;
  label: string;
}

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let org: TestUsers;
let owner: TestSession;
let operations: Operation[];
const ids = new Set<string>();
const failures: string[] = [];
const ajv = new Ajv2020({ strict: false, allErrors: false });
// ajv-formats is CommonJS; its default export arrives wrapped or not depending on the loader.
const addFormatsFn = (addFormats as unknown as { default?: typeof addFormats }).default ?? addFormats;
(addFormatsFn as unknown as (a: Ajv2020) => void)(ajv);
ajv.addFormat('includes', true);

beforeAll(async () => {
  handle = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-fuzz-'));
  const config = resolveConfig({
    dataDir,
    logLevel: 'silent',
    apiRateLimit: { requestsPerMinute: 1_000_000, burst: 1_000_000 },
  });
  ctx = createContext(config, handle.db);
  app = await buildHttpApp(ctx);
  org = await seedAuthOrg(ctx, 'fuzz');
  owner = await signInForTest(app, 'owner@fuzz.test');
  for (const id of [org.orgId, org.ownerId, ...Object.values(org.departments), ...Object.values(org.users)])
    ids.add(id);
  const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
  operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([p, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path: p })),
  );
  // Creates first (their ids feed later cases), destructive calls last.
  const rank = (op: Operation) =>
    op.method === 'POST' && !op.path.includes('{')
      ? 0
      : op.method === 'DELETE' || /erase|revoke/.test(op.path)
        ? 2
        : 1;
  operations.sort((x, y) => rank(x) - rank(y));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await ctx?.preflight.idle();
  await handle?.drop();
});

function encode(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate cannot be percent-encoded as UTF-8; send its WTF-8 bytes instead.
    return text.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^%\w.-]/g, (c) => encodeURIComponent(c));
  }
}

function urlOf(op: Operation, c: Case): string {
  const pathPart = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encode(c.params[name] ?? 'x'));
  const query = Object.entries(c.query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join('&');
  return query ? `${pathPart}?${query}` : pathPart;
}

function schemaOfParams(op: Operation, where: 'path' | 'query'): JsonSchema {
  const params = (op.parameters ?? []).filter((p) => p.in === where);
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required || where === 'path').map((p) => p.name),
  };
}

function casesFor(op: Operation, seed: number): Case[] {
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const arb = fc.record({
    params: validValue(schemaOfParams(op, 'path'), [...ids]),
    query: validValue(schemaOfParams(op, 'query'), [...ids]),
    body: bodySchema ? validValue(bodySchema, [...ids]) : fc.constant(undefined),
  }) as fc.Arbitrary<Omit<Case, 'label'>>;
  const valid = fc.sample(arb, { seed, numRuns: VALID_CASES }).map((c) => ({ ...c, label: 'valid' }));
  const rng = mulberry(seed);
  const mutated: Case[] = [];
  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    const base = valid[mutated.length % valid.length] as Case;
    if (bodySchema) mutated.push({ ...base, body: mutate(base.body, rng), label: `body:${name}` });
    if (Object.keys(base.query).length || (op.parameters ?? []).some((p) => p.in === 'query'))
      mutated.push({
        ...base,
        query: mutate(base.query, rng) as Record<string, unknown>,
        label: `query:${name}`,
      });
  }
  const base = valid[0] as Case;
  for (const name of Object.keys(base.params)) {
    for (const bad of ['not-a-uuid', '12345', 'a\u0000b', '\ud800', '00000000-0000-0000-0000-00000000000g'])
      mutated.push({ ...base, params: { ...base.params, [name]: bad }, label: `path:${name}` });
  }
  return [...valid, ...mutated];
}

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function send(op: Operation, c: Case, who: TestSession | null) {
  const options: InjectOptions = {
    method: op.method as InjectOptions['method'],
    url: urlOf(op, c),
    headers: who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {},
    remoteAddress: '10.16.0.1',
  };
  if (c.body !== undefined) options.payload = c.body as InjectOptions['payload'];
  return app.inject(options);
}

function check(op: Operation, c: Case, who: string, res: Awaited<ReturnType<typeof send>>): void {
  const where = `${op.method} ${op.path} [${who} ${c.label}] → ${res.statusCode}`;
  const detail = () => `${where}: ${res.body.slice(0, 200)}`;
  if (res.statusCode >= 500) return void failures.push(`5xx ${detail()}`);
  const declared =
    op.responses[String(res.statusCode)] ??
    op.responses[`${String(res.statusCode)[0]}XX`] ??
    op.responses.default;
  if (!declared) return void failures.push(`undocumented ${detail()}`);
  const type = String(res.headers['content-type'] ?? '').split(';')[0] ?? '';
  const content = declared.content ?? {};
  if (res.body.length && !(type in content))
    return void failures.push(
      `declared ${Object.keys(content).join('|') || 'no body'}, got ${type}: ${where}`,
    );
  const json = content['application/json'];
  if (type !== 'application/json' || !json?.schema) return;
  const validate = ajv.compile(json.schema);
  if (!validate(res.json())) failures.push(`schema ${where}: ${ajv.errorsText(validate.errors)}`);
}

function collectIds(body: string): void {
  for (const match of body.matchAll(/"id":"([0-9a-f-]{36})"/g))
    if (ids.size < 200) ids.add(match[1] as string);
}

describe('OpenAPI fuzz', () => {
  it('answers every generated input with a documented 2xx/4xx and a body matching its schema', async () => {
    let requests = 0;
    for (const [index, op] of operations.entries()) {
      // Server-sent event streams never end; their handshake has its own tests.
      if (op.path.endsWith('/stream')) continue;
      const started = Date.now();
      const secured = !(Array.isArray(op.security) && op.security.length === 0);
      for (const c of casesFor(op, SEED + index)) {
        const res = await send(op, c, owner);
        requests += 1;
        check(op, c, 'owner', res);
        if (res.statusCode < 300) collectIds(res.body);
      }
      // Anonymous: a valid and a hostile case. Secured routes authenticate before they validate,
      // so whatever the input, the answer is 401 (never a 400 that describes the schema).
      for (const c of casesFor(op, SEED + index).filter((_, i) => i === 0 || i === VALID_CASES)) {
        const res = await send(op, c, null);
        requests += 1;
        if (res.statusCode >= 500) failures.push(`5xx ${op.method} ${op.path} [anonymous ${c.label}]`);
        else if (secured && res.statusCode !== 401)
          failures.push(`anonymous got ${res.statusCode}: ${op.method} ${op.path} [${c.label}]`);
      }
      if (process.env.FUZZ_DEBUG) console.log(`${Date.now() - started} ms ${op.method} ${op.path}`);
      const me = await app.inject({ method: 'GET', url: '/v1/me', headers: { cookie: owner.cookie } });
      if (me.statusCode === 401) owner = await signInForTest(app, 'owner@fuzz.test').catch(() => owner);
    }
    if (process.env.FUZZ_DEBUG) writeFileSync(process.env.FUZZ_DEBUG, failures.join('\n'));
    expect(requests).toBeGreaterThan(2000);
    expect(failures).toEqual([]);
  }, 300_000);
});

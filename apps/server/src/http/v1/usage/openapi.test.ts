import SwaggerParser from '@apidevtools/swagger-parser';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../context.js';
import { createTestContext } from '../../../usage/testing.js';
import { buildHttpApp, type HttpApp } from '../../app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  app = await buildHttpApp(ctx);
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

const USAGE_API_ROUTES = [
  ['get', '/v1/usage'],
  ['get', '/v1/usage/stream'],
  ['post', '/v1/events'],
  ['get', '/v1/users'],
  ['post', '/v1/users'],
  ['get', '/v1/users/{id}'],
  ['get', '/v1/departments'],
  ['post', '/v1/departments'],
  ['get', '/v1/departments/{id}'],
  ['post', '/v1/os-user-mappings'],
] as const;

describe('/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place, so give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents every usage-API route with its parameters and responses', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    for (const [method, path] of USAGE_API_ROUTES) {
      const operation = doc.paths?.[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
    const usageParams = doc.paths['/v1/usage'].get.parameters.map((p: { name: string }) => p.name);
    expect(usageParams).toEqual(
      expect.arrayContaining([
        'user_id',
        'department_id',
        'model',
        'provider',
        'start_date',
        'end_date',
        'group_by',
      ]),
    );
    const listParams = doc.paths['/v1/users'].get.parameters.map((p: { name: string }) => p.name);
    expect(listParams).toEqual(expect.arrayContaining(['limit', 'cursor']));
  });

  it('lists every /v1 route the server serves', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const served = servedRoutes(app).filter((r) => r.startsWith('/v1/') === false && r.includes(' /v1/'));
    expect(served).toEqual(
      expect.arrayContaining(USAGE_API_ROUTES.map(([m, p]) => `${m.toUpperCase()} ${p}`)),
    );
    const undocumented = served.filter((r) => !documented.has(r) && !r.endsWith(' /v1/openapi.json'));
    expect(undocumented).toEqual([]);
  });
});

/** Every "METHOD /path" the app serves (HEAD excluded), from Fastify's route tree printout. */
function servedRoutes(server: HttpApp): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = Math.floor((match[1] ?? '').length / 4);
    stack.length = depth;
    stack.push(match[2] ?? '');
    const path = stack.join('').replace(/:([A-Za-z_]+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ')) {
      if (method && method !== 'HEAD') routes.push(`${method} ${path}`);
    }
  }
  return routes;
}

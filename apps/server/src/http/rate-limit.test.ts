import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { bearer, createKey, createTestContext, seedOrg } from '../usage/testing.js';
import { buildHttpApp, type HttpApp } from './app.js';
import { RateLimiter } from './rate-limit.js';

describe('RateLimiter', () => {
  it('allows the burst, then refills at the sustained rate', () => {
    let now = 0;
    const limiter = new RateLimiter({ requestsPerMinute: 60, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('k'))).toEqual([0, 0, 0]);
    expect(limiter.take('k')).toBe(1); // one token per second
    expect(limiter.take('other')).toBe(0); // buckets are per key
    now += 1000;
    expect(limiter.take('k')).toBe(0);
    expect(limiter.take('k')).toBe(1);
  });
});

describe('rate limits on /v1', () => {
  let ctx: AppContext;
  let handle: TestDatabase;
  let app: HttpApp;

  beforeAll(async () => {
    ({ ctx, handle } = await createTestContext({ apiRateLimit: { requestsPerMinute: 6, burst: 2 } }));
    app = await buildHttpApp(ctx);
  });
  afterAll(async () => {
    await app.close();
    await handle.drop();
  });

  it('answers 429 rate_limited with Retry-After once a key spends its burst, per key', async () => {
    const org = await seedOrg(ctx, 'limited');
    const key = await createKey(ctx, org.orgId, ['read']);
    const other = await createKey(ctx, org.orgId, ['read']);
    const get = (k: string) => app.inject({ method: 'GET', url: '/v1/departments', headers: bearer(k) });
    expect((await get(key)).statusCode).toBe(200);
    expect((await get(key)).statusCode).toBe(200);
    const limited = await get(key);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(10);
    expect((await get(other)).statusCode).toBe(200);
  });
});

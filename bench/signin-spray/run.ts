/**
 * `GET /v1/usage` p99 while 1,000 password sign-ins (1,000 emails, 100 addresses) are sprayed,
 * against its idle p99 in the same run. Target: within 2×. In-process (app.inject) on PGlite.
 *   node --import tsx bench/signin-spray/run.ts
 */
import { createAuthTestContext, seedAuthOrg } from '../../apps/server/src/auth/testing.js';
import { buildHttpApp } from '../../apps/server/src/http/app.js';
import { RateLimiter } from '../../apps/server/src/http/rate-limit.js';
import { createKey } from '../../apps/server/src/usage/testing.js';

const { ctx, handle } = await createAuthTestContext();
// The API key's own rate limit is not what is measured here.
Object.assign(ctx, { rateLimiter: new RateLimiter({ requestsPerMinute: 1e9, burst: 1e9 }) });
const app = await buildHttpApp(ctx);
const org = await seedAuthOrg(ctx, 'spray');
const key = await createKey(ctx, org.orgId, ['read']);
const usage = () =>
  app.inject({ method: 'GET', url: '/v1/usage', headers: { authorization: `Bearer ${key}` } });

async function p99(rounds: number, during?: Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const res = await usage();
    if (res.statusCode !== 200) throw new Error(`usage ${res.statusCode}: ${res.body}`);
    times.push(performance.now() - start);
  }
  await during;
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length * 0.99)] ?? 0;
}

for (let i = 0; i < 20; i++) await usage();
const idle = await p99(300);
const statuses: Record<number, number> = {};
const spray = Promise.all(
  Array.from({ length: 1000 }, (_, i) =>
    app
      .inject({
        method: 'POST',
        url: '/auth/sign-in',
        payload: { email: `victim${i}@spray.test`, password: 'Summer2026!' },
        remoteAddress: `10.77.${i % 100}.1`,
      })
      .then((r) => {
        statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1;
      }),
  ),
);
const busy = await p99(300, spray);
console.log(
  JSON.stringify({
    idle_p99_ms: +idle.toFixed(2),
    spray_p99_ms: +busy.toFixed(2),
    ratio: +(busy / idle).toFixed(2),
    sign_in_answers: statuses,
  }),
);
await app.close();
await handle.drop();

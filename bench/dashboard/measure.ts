/**
 * Dashboard API latency on the demo org: seeds it (timing the seed), signs in as the demo admin,
 * then requests each page's API calls N times through the real HTTP stack (Fastify inject) and
 * prints p50/p95 per call. Target: p95 < 100 ms.
 *
 *   npx tsx bench/dashboard/measure.ts            # embedded PGlite (in memory)
 *   TEST_DATABASE_URL=postgres://… npx tsx bench/dashboard/measure.ts
 */
import { createAuthTestContext } from '../../apps/server/src/auth/testing.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, seedDemoOrg } from '../../apps/server/src/demo/seed.js';
import { buildHttpApp } from '../../apps/server/src/http/app.js';

const ROUNDS = Number(process.env.ROUNDS ?? 40);

async function main(): Promise<void> {
  const { ctx, handle } = await createAuthTestContext();
  const engine = ctx.db.kind;
  let t = performance.now();
  const seeded = await seedDemoOrg(ctx);
  const seedMs = performance.now() - t;
  t = performance.now();
  await seedDemoOrg(ctx);
  const reseedMs = performance.now() - t;
  console.log(
    `engine ${engine}: demo seed ${seedMs.toFixed(0)} ms (second start ${reseedMs.toFixed(0)} ms)`,
    seeded.stats,
  );

  const app = await buildHttpApp(ctx);
  const signIn = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD },
  });
  const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
  const today = new Date().toISOString().slice(0, 10);
  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  const calls: Array<[string, string]> = [
    ['Overview: /v1/overview', '/v1/overview'],
    ['Usage: directory', '/v1/overview/directory'],
    ['Usage 30d: by provider', `/v1/usage?group_by=provider&start_date=${daysAgo(29)}&end_date=${today}`],
    ['Usage 30d: by user', `/v1/usage?group_by=user&start_date=${daysAgo(29)}&end_date=${today}`],
    ['Usage 90d: by user', `/v1/usage?group_by=user&start_date=${daysAgo(89)}&end_date=${today}`],
    ['Devices: /v1/devices', '/v1/devices?limit=500'],
    ['Portal: /v1/me', '/v1/me'],
  ];
  console.log(`\n| call | p50 ms | p95 ms | status |\n|---|---:|---:|---|`);
  for (const [label, url] of calls) {
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      const res = await app.inject({ url, headers: { cookie } });
      times.push(performance.now() - start);
      status = res.statusCode;
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
    console.log(`| ${label} | ${at(0.5).toFixed(1)} | ${at(0.95).toFixed(1)} | ${status} |`);
  }
  await app.close();
  await handle.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

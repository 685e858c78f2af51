import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newEventId } from '@toktra/core';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/context.js';
import type { DomainEvent } from '../src/events/kinds.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';
import { getCalibratedRatios } from '../src/reconciliation/calibration.js';
import { createConnection } from '../src/reconciliation/connections.js';
import { syncConnection } from '../src/reconciliation/jobs.js';
import { ingestBatch } from '../src/usage/ingest.js';
import { bearer, createKey, createTestContext, type SeededOrg, seedOrg } from '../src/usage/testing.js';
import { type FakeServer, type FakeUsage, HOUR } from './fakes/fake-server.js';
import { startOpenAiFake } from './fakes/openai-fake.js';

/**
 * A simulated org: agents on managed devices observe OpenAI API connections whose true token
 * counts are known; bytes follow a realistic wire model that differs from the estimator's
 * defaults (3.3 B per input token vs 4, 290 B per output token vs 330, per-connection overheads
 * with jitter, a ±3% day-to-day drift). The provider fake reports the true managed totals plus
 * unmanaged usage on six days, in its own project and API key.
 */
const DAYS = 28;
const SHADOW_DAYS = new Set([3, 9, 10, 17, 22, DAYS - 1]);
const SHADOW_SHARE = 0.4;
const KEY = 'sk-admin-simulation-key-5d2e8a';

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let fake: FakeServer;
let org: SeededOrg;
let readKey: string;
const truth = new Map<string, { managed: number; unmanaged: number }>();
const notices: Array<DomainEvent<'shadow_ai.gap_detected'>> = [];
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const dayStart = (i: number) => today - (DAYS - i) * 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

beforeAll(async () => {
  process.env.TOKTRA_ALLOW_PRIVATE_URLS = '1';
  ({ ctx, handle } = await createTestContext({ dataDir: mkdtempSync(path.join(tmpdir(), 'toktra-sim-')) }));
  org = await seedOrg(ctx, 'simco');
  readKey = await createKey(ctx, org.orgId, ['read']);
  const rand = mulberry32(7);
  const usage: FakeUsage[] = [];
  for (let i = 0; i < DAYS; i++) {
    const drift = 1 + (rand() - 0.5) * 0.06;
    const events: unknown[] = [];
    let managed = 0;
    const connections = 25 + Math.floor(rand() * 30);
    for (let c = 0; c < connections; c++) {
      const input = 400 + Math.floor(rand() * 5000);
      const output = 80 + Math.floor(rand() * 900);
      const at = dayStart(i) + Math.floor(rand() * 23) * HOUR + Math.floor(rand() * 3_000_000);
      events.push({
        id: newEventId(at),
        occurred_at: new Date(at).toISOString(),
        host: 'api.openai.com',
        transport: 'tcp',
        bytes_up: Math.round(1400 + rand() * 1000 + input * 3.3 * drift * (1 + (rand() - 0.5) * 0.06)),
        bytes_down: Math.round(4500 + rand() * 2500 + output * 290 * drift * (1 + (rand() - 0.5) * 0.06)),
      });
      usage.push({
        hour: new Date(Math.floor(at / HOUR) * HOUR),
        model: 'gpt-4.1',
        project: 'proj_eng',
        apiKey: 'key_eng',
        input,
        output,
      });
      managed += input + output;
    }
    let unmanaged = 0;
    if (SHADOW_DAYS.has(i)) {
      const input = Math.round((managed * SHADOW_SHARE * 5) / 6);
      const output = Math.round((managed * SHADOW_SHARE) / 6);
      usage.push({
        hour: new Date(dayStart(i) + 14 * HOUR),
        model: 'gpt-4.1',
        project: 'proj_personal',
        apiKey: 'key_laptop',
        input,
        output,
      });
      unmanaged = input + output;
    }
    truth.set(iso(dayStart(i)), { managed, unmanaged });
    const result = await ingestBatch(ctx, org.orgId, { type: 'device', deviceId: org.deviceId }, events);
    expect(result.rejected).toEqual([]);
  }
  fake = await startOpenAiFake({ adminKey: KEY, usage });
  app = await buildHttpApp(ctx);
  ctx.events.on('shadow_ai.gap_detected', (e) => notices.push(e));
  const conn = await createConnection(
    ctx,
    org.orgId,
    { type: 'system', id: null },
    {
      provider: 'openai',
      credentials: { admin_key: KEY },
      base_url: fake.url,
    },
  );
  // Poll (30-day backfill), refit calibration, emit notices — what the sync job does.
  await syncConnection(ctx, org.orgId, conn.id, new Date(today + 12 * HOUR));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await handle?.drop();
});

describe('calibration and Shadow AI on a simulated org', () => {
  it('calibration brings the daily estimate error down', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/calibration', headers: bearer(readKey) });
    expect(res.statusCode).toBe(200);
    const [openai] = res.json().data;
    expect(openai.provider).toBe('openai');
    expect(openai.calibrated).toBe(true);
    // The shadow days are left out of the fit rather than bending it.
    expect(openai.windows_excluded).toBe(SHADOW_DAYS.size);
    expect(openai.error.input.mape_before).toBeGreaterThan(0.1);
    expect(openai.error.output.mape_before).toBeGreaterThan(0.05);
    expect(openai.error.input.mape_after).toBeLessThan(0.04);
    expect(openai.error.output.mape_after).toBeLessThan(0.04);
    expect(openai.error.input.mape_after).toBeLessThan(openai.error.input.mape_before / 3);
    expect(openai.ratios.up.bytesPerToken).toBeGreaterThan(3.0);
    expect(openai.ratios.up.bytesPerToken).toBeLessThan(3.6);
    expect(openai.ratios.down.bytesPerToken).toBeGreaterThan(260);
    expect(openai.ratios.down.bytesPerToken).toBeLessThan(320);
    // The pipeline now estimates new events with the calibrated ratios.
    const ratios = await getCalibratedRatios(ctx, org.orgId);
    expect(ratios.openai?.up).toEqual(openai.ratios.up);
  });

  it('Shadow AI recovers the unmanaged usage within its band', async () => {
    const start = iso(dayStart(0));
    const end = iso(dayStart(DAYS - 1));
    const res = await app.inject({
      method: 'GET',
      url: `/v1/shadow-ai?start_date=${start}&end_date=${end}&provider=openai`,
      headers: bearer(readKey),
    });
    expect(res.statusCode).toBe(200);
    const { data, totals } = res.json() as {
      data: Array<{
        date: string;
        gap_tokens: number;
        band: { lower: number; upper: number };
        significant: boolean;
        by_dimension: Array<{ project_id: string | null }>;
      }>;
      totals: Array<{ gap_tokens: number; band: { lower: number; upper: number } }>;
    };
    expect(data).toHaveLength(DAYS);
    let inBand = 0;
    let falseAlarms = 0;
    for (const d of data) {
      const t = truth.get(d.date);
      if (!t) throw new Error(`no truth for ${d.date}`);
      if (t.unmanaged >= d.band.lower && t.unmanaged <= d.band.upper) inBand++;
      if (t.unmanaged > 0) {
        expect(d.significant, d.date).toBe(true);
        expect(Math.abs(d.gap_tokens - t.unmanaged) / t.unmanaged, d.date).toBeLessThan(0.15);
        // The provider's own dimensions point at where it came from.
        expect(d.by_dimension.map((x) => x.project_id)).toContain('proj_personal');
      } else if (d.significant) {
        falseAlarms++;
      }
    }
    expect(inBand / DAYS).toBeGreaterThanOrEqual(0.85);
    expect(falseAlarms).toBeLessThanOrEqual(2);
    const total = [...truth.values()].reduce((s, t) => s + t.unmanaged, 0);
    const [openai] = totals;
    expect(total).toBeGreaterThanOrEqual(openai?.band.lower ?? Number.NaN);
    expect(total).toBeLessThanOrEqual(openai?.band.upper ?? Number.NaN);
  });

  it('emits shadow_ai.gap_detected (an outbox event) for significant recent days, for the policy engine', () => {
    const yesterday = iso(dayStart(DAYS - 1));
    const notice = notices.find((n) => n.payload.day === yesterday);
    expect(notice).toMatchObject({ orgId: org.orgId, payload: { provider: 'openai' } });
    expect(notice?.payload.band?.lower).toBeGreaterThan(0);
    expect(notice?.payload.share).toBeGreaterThan(0.2);
  });

  it('GET /v1/usage shows the provider totals as reconciled beside the estimates', async () => {
    const start = iso(dayStart(0));
    const end = iso(dayStart(DAYS - 1));
    const res = await app.inject({
      method: 'GET',
      url: `/v1/usage?start_date=${start}&end_date=${end}&group_by=day`,
      headers: bearer(readKey),
    });
    const report = res.json();
    const all = [...truth.values()].reduce((s, t) => s + t.managed + t.unmanaged, 0);
    expect(report.totals.reconciled_input_tokens + report.totals.reconciled_output_tokens).toBe(all);
    expect(report.data).toHaveLength(DAYS);
    expect(
      report.data.every(
        (r: { reconciled_input_tokens: number | null }) => r.reconciled_input_tokens !== null,
      ),
    ).toBe(true);
  });
});

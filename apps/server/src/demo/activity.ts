import { newEventId } from '@toktra/core';
import type { AppContext } from '../context.js';
import { ingestBatch } from '../usage/ingest.js';
import { createRandom } from './random.js';

const HOSTS = [
  ['api.anthropic.com', 9_000, 60_000],
  ['api.individual.githubcopilot.com', 6_000, 4_000],
  ['chatgpt.com', 4_000, 20_000],
  ['api.openai.com', 8_000, 30_000],
  ['claude.ai', 5_000, 25_000],
] as const;

/**
 * Keeps the demo org alive while `toktra server --demo` runs: its agents "report" (last seen now,
 * so they stay protected after a restart days later) and a few connections arrive every tick
 * through the real ingest pipeline, so the dashboard's live updates have something to show.
 * Returns the stop function.
 */
export function startDemoActivity(ctx: AppContext, orgId: string, intervalMs = 15_000): () => void {
  const random = createRandom(Date.now() & 0xffff);
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const devices = await ctx.db.withTenant(orgId, ({ db }) =>
        db
          .selectFrom('devices')
          .select(['id', 'hostname'])
          .where('org_id', '=', orgId)
          .where('status', '=', 'active')
          .execute(),
      );
      // About one agent in fourteen stays silent, so "not reporting" has examples too.
      const reporting = devices.filter(
        (d) => [...d.hostname].reduce((h, c) => h + c.charCodeAt(0), 0) % 14 !== 0,
      );
      if (reporting.length === 0) return;
      await ctx.db.withTenant(orgId, ({ db }) =>
        db
          .updateTable('devices')
          .set({ last_seen_at: new Date() })
          .where('org_id', '=', orgId)
          .where(
            'id',
            'in',
            reporting.map((d) => d.id),
          )
          .execute(),
      );
      for (let i = random.int(1, 4); i > 0; i--) {
        const device = random.pick(reporting);
        const [host, up, down] = random.pick(HOSTS);
        const duration = random.int(2_000, 40_000);
        const ended = Date.now() - random.int(0, 5_000);
        await ingestBatch(ctx, orgId, { type: 'device', deviceId: device.id }, [
          {
            id: newEventId(ended - duration),
            occurred_at: new Date(ended - duration).toISOString(),
            ended_at: new Date(ended).toISOString(),
            host,
            transport: 'tcp',
            bytes_up: Math.round(up * (0.3 + random.next() * 1.5)),
            bytes_down: Math.round(down * (0.3 + random.next() * 1.5)),
            duration_ms: duration,
            source: 'agent',
          },
        ]);
      }
    } catch (err) {
      ctx.logger.warn({ err }, 'demo activity tick failed');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

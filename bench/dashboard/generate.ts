/**
 * The benchmark org: the demo org at `scale` × its people (a deeper department tree), their 90
 * days of daily rollups, raw events for the last `rawDays` days (derived in SQL from the rollups,
 * so the two agree), provider-reconciled usage with synced connections, and the jobs' stored
 * results (efficiency scores, scorecards) as the nightly job leaves them. Bulk SQL throughout:
 * the time is bounded by the row count, not by round trips.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../apps/server/src/context.js';
import { seedDemoOrg } from '../../apps/server/src/demo/seed.js';
import { refreshEfficiencyScores } from '../../apps/server/src/efficiency/job.js';
import { refreshScorecards } from '../../apps/server/src/scorecards/service.js';

export interface BenchOrg {
  orgId: string;
  ms: Record<string, number>;
  counts: Record<string, number>;
}

export async function generateBenchOrg(
  ctx: AppContext,
  options: { scale: number; rawDays: number },
): Promise<BenchOrg> {
  const ms: Record<string, number> = {};
  const time = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await fn();
    ms[label] = Math.round(performance.now() - t);
    return result;
  };
  const seeded = await time('demo seed', () => seedDemoOrg(ctx, new Date(), { scale: options.scale }));
  const orgId = seeded.orgId;
  await time('raw events', () =>
    ctx.db.withTenant(orgId, (tx) =>
      // One event per rollup event of the last `rawDays` days before today, spread over the
      // working hours of its day; today's events are the demo's own. Ids are random UUIDs
      // (the primary key only needs uniqueness here).
      sql`INSERT INTO events (org_id, id, occurred_at, user_id, department_id, source, host, provider,
            product, category, model, transport, bytes_up, bytes_down, duration_ms,
            est_input_tokens, est_output_tokens, token_method)
          SELECT u.org_id, gen_random_uuid(),
            (u.bucket::timestamp + interval '8 hours' + (g.n * 36000.0 / u.events) * interval '1 second')
              AT TIME ZONE o.time_zone,
            u.user_id, u.department_id, u.source, NULL, u.provider,
            CASE WHEN u.category = 'coding' THEN 'coding-assistant' WHEN u.category = 'chat' THEN 'chat-app' ELSE 'api' END,
            u.category, u.model, CASE WHEN u.source = 'agent' THEN 'tcp' END,
            u.bytes_up / u.events, u.bytes_down / u.events, u.duration_ms / u.events,
            u.est_input_tokens / u.events, u.est_output_tokens / u.events,
            CASE WHEN u.source = 'api' THEN 'reported' ELSE 'bytes:v1:bench' END
          FROM usage_daily u JOIN orgs o ON o.id = u.org_id
          CROSS JOIN LATERAL generate_series(0, u.events - 1) AS g(n)
          WHERE u.org_id = ${orgId} AND u.events > 0
            AND u.bucket >= (now() AT TIME ZONE o.time_zone)::date - ${options.rawDays}::int
            AND u.bucket < (now() AT TIME ZONE o.time_zone)::date`.execute(tx.db),
    ),
  );
  await time('reconciliation', () =>
    ctx.db.withTenant(orgId, async (tx) => {
      // Synced connections for the two providers with admin usage APIs; the provider bills a
      // little more than agents saw (the shadow-AI gap), per UTC day and model.
      for (const provider of ['openai', 'anthropic'] as const) {
        const id = randomUUID();
        await tx.db
          .insertInto('provider_connections')
          .values({
            id,
            org_id: orgId,
            provider,
            name: `${provider} (bench)`,
            credentials_enc: 'bench',
            credentials_hint: '…bench',
            status: 'healthy',
            last_synced_at: new Date(),
            backfilled_at: new Date(),
          })
          .execute();
        await sql`INSERT INTO reconciled_usage (org_id, connection_id, provider, bucket_start, bucket_width,
              model, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, requests)
            SELECT org_id, ${id}::uuid, provider, bucket::timestamp AT TIME ZONE 'UTC', '1d', model,
              (sum(est_input_tokens) * 1.12)::bigint, 0, 0, (sum(est_output_tokens) * 1.08)::bigint, sum(events)
            FROM usage_daily WHERE org_id = ${orgId} AND provider = ${provider}
            GROUP BY org_id, provider, bucket, model`.execute(tx.db);
      }
    }),
  );
  await time('jobs: scores + scorecards', async () => {
    await refreshEfficiencyScores(ctx, orgId);
    await refreshScorecards(ctx, orgId);
  });
  const counts = await ctx.db.withTenant(orgId, async (tx) => {
    const one = async (table: string) =>
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE org_id = ${orgId}`.execute(tx.db)
        ).rows[0]?.n ?? 0,
      );
    return {
      users: await one('users'),
      departments: await one('departments'),
      devices: await one('devices'),
      usage_daily: await one('usage_daily'),
      usage_hourly: await one('usage_hourly'),
      events: await one('events'),
      reconciled_usage: await one('reconciled_usage'),
    };
  });
  return { orgId, ms, counts };
}

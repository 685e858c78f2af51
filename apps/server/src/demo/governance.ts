import { randomUUID } from 'node:crypto';
import { periodKeyOf } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { formatUsedOf } from '../alerts/format.js';
import type { AppContext } from '../context.js';
import { departmentPath } from '../policies/usage-stream.js';
import { encryptSecret } from '../secrets/service.js';
import { addDays } from '../usage/time-zone.js';

/** Everything the demo adds is labelled, so nobody mistakes it for a real configuration. */
export const DEMO_LABEL = '[Demo]';

export interface DemoGovernanceStats {
  budgets: number;
  policies: number;
  alerts: number;
  reconciledRows: number;
}

/** Month-to-date tokens per department subtree (org-local days), from the rollups just seeded. */
async function monthToDate(
  tx: Tx,
  orgId: string,
  period: string,
): Promise<{ total: number; byDepartment: Map<string, number> }> {
  const rows = await tx.db
    .selectFrom('usage_daily')
    .select((eb) => [
      'department_id',
      eb.fn.sum<number>(sql`est_input_tokens + est_output_tokens`).as('tokens'),
    ])
    .where('org_id', '=', orgId)
    .where('bucket', '>=', `${period}-01`)
    .groupBy('department_id')
    .execute();
  const departments = await tx.db
    .selectFrom('departments')
    .select(['id', 'parent_id'])
    .where('org_id', '=', orgId)
    .execute();
  const parents = new Map(departments.map((d) => [d.id, d.parent_id]));
  const byDepartment = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    total += Number(r.tokens);
    for (const dept of departmentPath(r.department_id, parents))
      byDepartment.set(dept, (byDepartment.get(dept) ?? 0) + Number(r.tokens));
  }
  return { total, byDepartment };
}

/** A rounded limit: 1.8M rather than 1,803,117. */
const roundLimit = (n: number) => {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, n))) - 1);
  return Math.max(step, Math.round(n / step) * step);
};

/**
 * Governance at work in the demo org: budgets (one soft cap already passed, one hard, one in
 * money), published policies, the alerts and an incident they raised, a (disabled) webhook
 * endpoint and an OpenAI connection whose reconciled usage comes from a built-in demo source —
 * no network, no polling (its next poll is never due). Written in the seed's transaction.
 */
export async function seedDemoGovernance(
  ctx: AppContext,
  tx: Tx,
  orgId: string,
  timeZone: string,
  departmentIds: Map<string, string>,
  adminId: string,
  now: Date,
): Promise<DemoGovernanceStats> {
  const period = periodKeyOf(now, timeZone);
  const { byDepartment: mtd } = await monthToDate(tx, orgId, period);
  // Budgets stay off the demo accounts' chain (Backend ⊂ Engineering) and the org scope, so a
  // manager or employee signing in meets no cap they did not set up themselves.
  const platform = departmentIds.get('Platform');
  const data = departmentIds.get('Data');
  const sales = departmentIds.get('Sales');
  const engineering = departmentIds.get('Engineering');
  if (!platform || !data || !sales || !engineering) throw new Error('demo departments missing');
  const platformUsed = mtd.get(platform) ?? 0;

  const budget = async (
    departmentId: string | null,
    limit: { tokens: number } | { cost: number },
    cap: 'soft' | 'hard',
    fired: number[],
  ) => {
    const amount = 'tokens' in limit ? limit.tokens : limit.cost;
    const row = await tx.db
      .insertInto('budgets')
      .values({
        org_id: orgId,
        department_id: departmentId,
        limit_tokens: 'tokens' in limit ? limit.tokens : null,
        limit_cost: 'cost' in limit ? limit.cost : null,
        cap,
        thresholds: JSON.stringify([80, 95]),
        rollover_cap_pct: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.db
      .insertInto('budget_periods')
      .values({
        org_id: orgId,
        budget_id: row.id,
        period,
        limit_amount: amount,
        spent: null,
        thresholds_fired: JSON.stringify(fired),
        closed_at: null,
      })
      .execute();
    return row.id;
  };
  // Platform has passed its soft cap (alerted, requests continue); Data has a hard cap with room
  // left; Sales is budgeted in money.
  const platformLimit = roundLimit(platformUsed * 0.8);
  const platformBudget = await budget(platform, { tokens: platformLimit }, 'soft', [80, 95, 100]);
  await budget(data, { tokens: roundLimit((mtd.get(data) ?? 0) * 1.6) }, 'hard', []);
  await budget(sales, { cost: 250 }, 'soft', []);

  const policy = async (name: string, severity: 'high', trigger: object, actions: object[]) => {
    const row = await tx.db
      .insertInto('policies')
      .values({ org_id: orgId, status: 'published', current_version: 1, published_version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.db
      .insertInto('policy_versions')
      .values({
        org_id: orgId,
        policy_id: row.id,
        version: 1,
        name: `${DEMO_LABEL} ${name}`,
        description: 'Seeded by --demo to show a published policy.',
        severity,
        trigger: JSON.stringify(trigger),
        conditions: JSON.stringify(null),
        actions: JSON.stringify(actions),
        created_by: adminId,
      })
      .execute();
    return row.id;
  };
  const thresholdPolicy = await policy(
    'Department over 5M tokens a month',
    'high',
    { type: 'department_threshold', params: { limit_tokens: 5_000_000, period: 'month' } },
    [{ type: 'create_incident', severity: 'high' }, { type: 'email_manager' }],
  );
  // The live engine judges unusual usage against raw events, which the demo keeps for today only:
  // an IP-risk policy shows a second published policy without firing on the seeded history.
  await policy('High IP risk opens an incident', 'high', { type: 'ip_risk', params: {} }, [
    { type: 'create_incident', severity: 'high' },
  ]);

  await tx.db
    .insertInto('webhook_endpoints')
    .values({
      org_id: orgId,
      url: 'https://hooks.example.invalid/toktra-demo',
      description: `${DEMO_LABEL} SIEM endpoint (disabled: the demo sends nothing)`,
      event_types: ['alert.created', 'policy.fired'],
      secret: randomUUID().replaceAll('-', ''),
      enabled: false,
      disabled_reason: 'Demo endpoint: nothing leaves this machine.',
    })
    .execute();

  const alert = (
    severity: 'low' | 'medium' | 'high',
    title: string,
    body: string,
    source: string,
    sourceId: string,
    departmentId: string | null,
    details: object,
  ) =>
    tx.db
      .insertInto('alerts')
      .values({
        org_id: orgId,
        severity,
        title,
        body,
        source,
        source_id: sourceId,
        user_id: null,
        department_id: departmentId,
        details: JSON.stringify({ ...details, demo: true }),
      })
      .execute();
  await alert(
    'high',
    `Budget 'Platform' reached 100 % — ${formatUsedOf(platformUsed, platformLimit, 'tokens')}`,
    `${DEMO_LABEL} The soft cap is reached: requests continue.`,
    'budget',
    platformBudget,
    platform,
    { threshold_pct: 100, used_tokens: platformUsed, limit_tokens: platformLimit, cap: 'soft', period },
  );
  const engineeringUsed = mtd.get(engineering) ?? 0;
  await alert(
    'high',
    `Policy '${DEMO_LABEL} Department over 5M tokens a month' fired for Engineering`,
    `${DEMO_LABEL} Engineering used ${formatUsedOf(engineeringUsed, 5_000_000, 'tokens')} this month.`,
    'policy',
    thresholdPolicy,
    engineering,
    { trigger: 'department_threshold' },
  );
  const incident = await tx.db
    .insertInto('incidents')
    .values({
      org_id: orgId,
      title: `${DEMO_LABEL} Engineering passed 5M tokens this month`,
      severity: 'high',
      assignee_id: adminId,
      user_id: null,
      policy_id: thresholdPolicy,
      firing_id: null,
      resolved_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.db
    .insertInto('incident_events')
    .values({
      org_id: orgId,
      incident_id: incident.id,
      actor_type: 'system',
      actor_id: null,
      kind: 'comment',
      details: JSON.stringify({ text: 'Opened by the demo seed from the published threshold policy.' }),
    })
    .execute();
  const reconciledRows = await seedDemoReconciliation(ctx, tx, orgId, now);
  return { budgets: 3, policies: 2, alerts: 2, reconciledRows };
}

/**
 * The built-in demo source: what OpenAI's usage API would report for the org's OpenAI API traffic
 * over the last 28 UTC days — the agents' observation plus an unmanaged project on some days
 * (shadow AI) — stored as a synced connection that is never polled.
 */
async function seedDemoReconciliation(ctx: AppContext, tx: Tx, orgId: string, now: Date): Promise<number> {
  const id = randomUUID();
  const today = now.toISOString().slice(0, 10);
  const first = addDays(today, -28);
  await tx.db
    .insertInto('provider_connections')
    .values({
      id,
      org_id: orgId,
      provider: 'openai',
      name: `${DEMO_LABEL} OpenAI (built-in demo source, never polled)`,
      base_url: null,
      credentials_enc: encryptSecret(
        ctx,
        JSON.stringify({ admin_key: 'sk-admin-demo-not-a-real-key' }),
        `provider_connection:${id}`,
      ),
      credentials_hint: 'sk-admin-…demo',
      status: 'healthy',
      last_error: null,
      last_synced_at: now,
      backfilled_at: now,
      next_poll_at: new Date('9999-12-31T00:00:00Z'),
    })
    .execute();
  const days = await tx.db
    .selectFrom('usage_daily')
    .select((eb) => [
      sql<string>`bucket::text`.as('day'),
      eb.fn.sum<number>('est_input_tokens').as('input'),
      eb.fn.sum<number>('est_output_tokens').as('output'),
    ])
    .where('org_id', '=', orgId)
    .where('provider', '=', 'openai')
    .where('category', '=', 'llm-api')
    .where('bucket', '>=', first)
    .where('bucket', '<', today)
    .groupBy('bucket')
    .execute();
  const rows = days.flatMap((d, i) => {
    const bucket = new Date(`${d.day}T00:00:00Z`);
    const input = Number(d.input);
    const output = Number(d.output);
    const split = (share: number, project: string, model: string) => ({
      org_id: orgId,
      connection_id: id,
      provider: 'openai',
      bucket_start: bucket,
      bucket_width: '1d' as const,
      model,
      project_id: project,
      workspace_id: null,
      api_key_id: null,
      input_tokens: Math.round(input * share),
      cached_input_tokens: 0,
      cache_write_tokens: 0,
      output_tokens: Math.round(output * share),
      requests: null,
    });
    const managed = [
      split(0.6, 'proj_acme_platform', 'gpt-4o'),
      split(0.4, 'proj_acme_platform', 'gpt-4o-mini'),
    ];
    // Every fourth day an unmanaged project adds usage no agent saw.
    return i % 4 === 1 ? [...managed, split(0.35, 'proj_personal_side_project', 'gpt-4o')] : managed;
  });
  if (rows.length) await tx.db.insertInto('reconciled_usage').values(rows).execute();
  return rows.length;
}

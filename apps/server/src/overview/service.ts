import type { Database } from '@toktra/db';
import { sql } from 'kysely';
import type { Scope } from '../auth/scope.js';
import { loadReconciledUsage } from '../reconciliation/usage-join.js';
import { loadPriceLookup, roundCost, summariseCost } from '../usage/cost.js';

/** Agents that reported within this window count as "protected" right now. */
export const PROTECTED_WINDOW_MS = 15 * 60 * 1000;

export interface Overview {
  start_date: string;
  end_date: string;
  enrolled_devices: number;
  active_users: number;
  total_tokens: number;
  /** The estimated tokens priced per provider and model, USD. */
  est_cost: number;
  est_input_tokens: number;
  est_output_tokens: number;
  /** Provider-reported totals for the period; null until reconciliation knows them. */
  reconciled_tokens: number | null;
  protected: { reporting_devices: number; active_devices: number; protected: boolean };
  trend: Array<{ date: string; est_input_tokens: number; est_output_tokens: number; events: number }>;
}

/** Today's date (YYYY-MM-DD) in a time zone, and the date `days` before it. */
export function orgDateRange(
  timeZone: string,
  days: number,
  now = new Date(),
): { start: string; end: string } {
  const end = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(now)
    .slice(0, 10);
  const start = new Date(`${end}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - (days - 1));
  return { start: start.toISOString().slice(0, 10), end };
}

/**
 * The four Overview tiles for the last 30 days plus the daily trend, from the daily rollups and
 * the devices table (a handful of indexed aggregates, no raw-event scans).
 */
export async function getOverview(db: Database, scope: Scope): Promise<Overview> {
  const orgId = scope.orgId;
  // A manager's tiles cover their subtree; employees (refused by the route) would see nothing.
  const departments =
    scope.reach === 'org' ? undefined : scope.reach === 'subtree' ? scope.departmentIds : [];
  return db.withTenant(orgId, async (tx) => {
    const trx = tx.db;
    const org = await trx
      .selectFrom('orgs')
      .select('time_zone')
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    const { start, end } = orgDateRange(org.time_zone, 30);
    const noDepartments = departments !== undefined && departments.length === 0;
    // The per-person read model: one row per person per day is all these tiles need.
    let usage = trx
      .selectFrom('usage_daily_people')
      .where('org_id', '=', orgId)
      .where('bucket', '>=', start)
      .where('bucket', '<=', end);
    if (departments) usage = usage.where('department_id', 'in', noDepartments ? [orgId] : departments);
    // One pass: a row per day plus, via the empty grouping set, the period's distinct users.
    const rows = await usage
      .select((eb) => [
        sql<string | null>`to_char(bucket, 'YYYY-MM-DD')`.as('date'),
        eb.fn.sum<number>('est_input_tokens').as('input'),
        eb.fn.sum<number>('est_output_tokens').as('output'),
        eb.fn.sum<number>('events').as('events'),
        sql<number>`count(DISTINCT user_id)`.as('active_users'),
      ])
      .groupBy(sql`GROUPING SETS ((bucket), ())`)
      .execute();
    // Prices are per provider and model, which the per-person model does not keep: the org-wide
    // model answers for the whole org, the full rollup for a manager's departments.
    const costTable = (departments ? 'usage_daily' : 'usage_daily_org') as 'usage_daily';
    const costRows = await trx
      .selectFrom(costTable)
      .$if(departments !== undefined, (q) =>
        q.where('department_id', 'in', noDepartments || !departments ? [orgId] : departments),
      )
      .where('org_id', '=', orgId)
      .where('bucket', '>=', start)
      .where('bucket', '<=', end)
      .select((eb) => [
        sql<null>`null`.as('k'),
        'provider',
        'model',
        eb.fn.sum<number>('est_input_tokens').as('input'),
        eb.fn.sum<number>('est_output_tokens').as('output'),
      ])
      .groupBy(['provider', 'model'])
      .execute();
    const cost = summariseCost(costRows, null, await loadPriceLookup(tx, orgId)).total;
    const trend = rows.filter((r): r is typeof r & { date: string } => r.date !== null);
    const totals = rows.find((r) => r.date === null) ?? { input: 0, output: 0, active_users: 0 };
    let devices = trx
      .selectFrom('devices')
      .where('devices.org_id', '=', orgId)
      .where('devices.status', '=', 'active')
      .where((eb) => eb.or([eb('cert_not_after', 'is', null), eb('cert_not_after', '>', new Date())]));
    if (departments) {
      devices = devices
        .innerJoin('users', (join) =>
          join.onRef('users.id', '=', 'devices.owner_user_id').onRef('users.org_id', '=', 'devices.org_id'),
        )
        .where('users.department_id', 'in', noDepartments ? [orgId] : departments);
    }
    const since = new Date(Date.now() - PROTECTED_WINDOW_MS);
    const deviceCounts = await devices
      .select([
        sql<number>`count(*)::int`.as('active'),
        sql<number>`count(*) FILTER (WHERE devices.last_seen_at >= ${since})::int`.as('reporting'),
      ])
      .executeTakeFirstOrThrow();
    const input = Number(totals.input);
    const output = Number(totals.output);
    // Providers do not know our departments: a manager's subtree view stays estimated only.
    const reconciled = departments
      ? null
      : (await loadReconciledUsage(tx, orgId, { start, end, filters: {}, groupBy: null })).totals;
    return {
      start_date: start,
      end_date: end,
      enrolled_devices: deviceCounts.active,
      active_users: Number(totals.active_users),
      total_tokens: input + output,
      est_cost: roundCost(cost),
      est_input_tokens: input,
      est_output_tokens: output,
      reconciled_tokens:
        reconciled?.reconciled_input_tokens == null || reconciled.reconciled_output_tokens == null
          ? null
          : reconciled.reconciled_input_tokens + reconciled.reconciled_output_tokens,
      protected: {
        reporting_devices: deviceCounts.reporting,
        active_devices: deviceCounts.active,
        protected: deviceCounts.reporting > 0,
      },
      trend: fillDays(start, end, trend),
    };
  });
}

function fillDays(
  start: string,
  end: string,
  rows: Array<{ date: string; input: number; output: number; events: number }>,
): Overview['trend'] {
  const byDate = new Map(rows.map((r) => [r.date, r]));
  const days: Overview['trend'] = [];
  for (
    let d = new Date(`${start}T00:00:00Z`);
    d.toISOString().slice(0, 10) <= end;
    d.setUTCDate(d.getUTCDate() + 1)
  ) {
    const date = d.toISOString().slice(0, 10);
    const row = byDate.get(date);
    days.push({
      date,
      est_input_tokens: Number(row?.input ?? 0),
      est_output_tokens: Number(row?.output ?? 0),
      events: Number(row?.events ?? 0),
    });
  }
  return days;
}

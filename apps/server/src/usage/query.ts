import { AppError } from '@toktra/core';
import type { Database, Tx } from '@toktra/db';
import { sql } from 'kysely';
import { type Scope, usageFilterOf } from '../auth/scope.js';
import type { PriceLookup } from '../budgets/default-prices.js';
import { assertDepartment, departmentSubtree } from '../departments/service.js';
import { loadReconciledUsage } from '../reconciliation/usage-join.js';
import { assertUser } from '../users/service.js';
import type { UsageTotals } from './bus.js';
import { loadPriceLookup, roundCost, summariseCost } from './cost.js';
import { addDays, dayInZone } from './time-zone.js';

export const USAGE_GROUPS = ['day', 'user', 'department', 'provider', 'model'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

const GROUP_COLUMN: Record<Exclude<UsageGroup, 'day'>, string> = {
  user: 'user_id',
  department: 'department_id',
  provider: 'provider',
  model: 'model',
};

/** Longest range one query may span, in days (inclusive of both ends). */
export const MAX_RANGE_DAYS = 400;

export interface UsageFilters {
  userId?: string | undefined;
  departmentId?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  /** `YYYY-MM-DD` in the org's time zone; default: the 30 days ending today. */
  startDate?: string | undefined;
  endDate?: string | undefined;
  groupBy?: UsageGroup | undefined;
}

export interface UsageFigures extends UsageTotals {
  reconciled_input_tokens: number | null;
  reconciled_output_tokens: number | null;
  /** The estimated tokens priced per provider and model (org prices over the built-in list), USD. */
  est_cost: number;
}

export type UsageRow = UsageFigures & Record<string, unknown>;

export interface UsageReport {
  start_date: string;
  end_date: string;
  time_zone: string;
  group_by: UsageGroup | null;
  /** The currency of every cost figure (the price list's). */
  currency: 'USD';
  totals: UsageFigures;
  data: UsageRow[];
}

/**
 * Usage of one org from the daily rollup (whose buckets are already calendar days in the org's
 * time zone, so date filters need no conversion). `department_id` covers the department's whole
 * subtree; a foreign or unknown user/department id is `not_found`, like any foreign id.
 */
export async function queryUsage(
  db: Database,
  scope: Scope,
  requested: UsageFilters,
  priceOf?: PriceLookup,
): Promise<UsageReport> {
  const orgId = scope.orgId;
  // The caller's reach narrows the filter here, once: employees themselves, managers their subtree.
  const filters: UsageFilters = { ...requested, userId: undefined, departmentId: undefined };
  Object.assign(filters, usageFilterOf(scope, requested));
  return db.withTenant(orgId, async (tx) => {
    const price = priceOf ?? (await loadPriceLookup(tx, orgId));
    const org = await tx.db.selectFrom('orgs').select('time_zone').where('id', '=', orgId).executeTakeFirst();
    if (!org) throw new AppError('not_found', `organization ${orgId} not found`);
    const { start, end } = resolveRange(filters, org.time_zone);
    if (filters.userId) await assertUser(tx, orgId, filters.userId);
    let departments: string[] | undefined;
    if (filters.departmentId) {
      await assertDepartment(tx, orgId, filters.departmentId);
      departments = await departmentSubtree(tx, orgId, filters.departmentId);
    }
    const groupBy = filters.groupBy ?? null;
    const from = (table: ReturnType<typeof rollupFor>) =>
      tx.db
        .selectFrom(`${table} as u` as 'usage_daily as u')
        .where('u.org_id', '=', orgId)
        .where('u.bucket', '>=', start)
        .where('u.bucket', '<=', end)
        .$if(filters.userId !== undefined, (q) => q.where('u.user_id', '=', filters.userId as string))
        .$if(departments !== undefined, (q) => q.where('u.department_id', 'in', departments as string[]))
        .$if(filters.provider !== undefined, (q) => q.where('u.provider', '=', filters.provider as string))
        .$if(filters.model !== undefined, (q) => q.where('u.model', '=', filters.model as string));
    const table = rollupFor(filters, groupBy);
    const base = from(table);
    const sums = [
      sql<number>`coalesce(sum(u.events), 0)`.as('events'),
      sql<number>`coalesce(sum(u.bytes_up), 0)`.as('bytes_up'),
      sql<number>`coalesce(sum(u.bytes_down), 0)`.as('bytes_down'),
      sql<number>`coalesce(sum(u.est_input_tokens), 0)`.as('est_input_tokens'),
      sql<number>`coalesce(sum(u.est_output_tokens), 0)`.as('est_output_tokens'),
    ];
    const totals = await base.select(sums).executeTakeFirstOrThrow();
    let data: Array<UsageTotals & Record<string, unknown>> = [];
    if (groupBy === 'day') {
      const rows = await base
        .select([sql<string>`u.bucket::text`.as('date'), ...sums])
        .groupBy('u.bucket')
        .orderBy('u.bucket')
        .execute();
      data = rows;
    } else if (groupBy === 'user') {
      // Aggregate first, then name the (few hundred) users: joining before grouping would look
      // up a user for every rollup row of the range.
      const perUser = base
        .select(['u.user_id', ...sums])
        .groupBy('u.user_id')
        .as('t');
      data = await tx.db
        .selectFrom(perUser)
        .leftJoin('users as x', (j) => j.onRef('x.id', '=', 't.user_id').on('x.org_id', '=', orgId))
        .select([
          't.user_id',
          'x.email as user_email',
          'x.name as user_name',
          't.events',
          't.bytes_up',
          't.bytes_down',
          't.est_input_tokens',
          't.est_output_tokens',
        ])
        .orderBy(sql`t.est_input_tokens + t.est_output_tokens`, 'desc')
        .orderBy('t.user_id')
        .execute();
    } else if (groupBy === 'department') {
      data = await base
        .leftJoin('departments as x', (j) =>
          j.onRef('x.id', '=', 'u.department_id').on('x.org_id', '=', orgId),
        )
        .select(['u.department_id', 'x.name as department_name', ...sums])
        .groupBy(['u.department_id', 'x.name'])
        .orderBy(sql`sum(u.est_input_tokens + u.est_output_tokens)`, 'desc')
        .orderBy('u.department_id')
        .execute();
    } else if (groupBy === 'provider') {
      data = await base
        .select(['u.provider', ...sums])
        .groupBy('u.provider')
        .orderBy(sql`sum(u.est_input_tokens + u.est_output_tokens)`, 'desc')
        .orderBy('u.provider')
        .execute();
    } else if (groupBy === 'model') {
      // Rows whose source could not see the model group under `model: null`.
      data = await base
        .select(['u.model', ...sums])
        .groupBy('u.model')
        .orderBy(sql`sum(u.est_input_tokens + u.est_output_tokens)`, 'desc')
        .orderBy('u.model')
        .execute();
    }
    const reconciled = await loadReconciled(tx, orgId, { start, end, filters, groupBy });
    if (groupBy === 'model') data = withReconciledModels(data, reconciled.models);
    const key =
      groupBy === 'day' ? sql`u.bucket::text` : groupBy ? sql.ref(`u.${GROUP_COLUMN[groupBy]}`) : sql`null`;
    // Prices are per provider and model, which the per-person rollup does not keep.
    const costRows = await (table === 'usage_daily_people' ? from('usage_daily') : base)
      .select([
        sql<string | null>`${key}`.as('k'),
        'u.provider',
        'u.model',
        sql<number>`sum(u.est_input_tokens)`.as('input'),
        sql<number>`sum(u.est_output_tokens)`.as('output'),
      ])
      .groupBy([sql`1`, 'u.provider', 'u.model'])
      .execute();
    const costs = summariseCost(costRows, groupBy, price);
    return {
      start_date: start,
      end_date: end,
      time_zone: org.time_zone,
      group_by: groupBy,
      currency: 'USD',
      totals: { ...totals, ...reconciled.totals, est_cost: roundCost(costs.total) },
      data: data.map((row) => ({
        ...row,
        ...reconciled.forRow(row),
        est_cost: roundCost(costs.of(row)),
      })),
    };
  });
}

/**
 * The coarsest daily rollup that answers the question (all three hold the same sums): the org's
 * per-provider/model rows when no person or department is asked about, the per-person rows when
 * no provider or model is, the full grain otherwise.
 */
export function rollupFor(
  filters: UsageFilters,
  groupBy: UsageGroup | null,
): 'usage_daily' | 'usage_daily_org' | 'usage_daily_people' {
  const aboutPeople = filters.userId !== undefined || filters.departmentId !== undefined;
  const aboutTools = filters.provider !== undefined || filters.model !== undefined;
  if (!aboutPeople && groupBy !== 'user' && groupBy !== 'department') return 'usage_daily_org';
  if (!aboutTools && groupBy !== 'provider' && groupBy !== 'model') return 'usage_daily_people';
  return 'usage_daily';
}

function resolveRange(filters: UsageFilters, timeZone: string): { start: string; end: string } {
  const end = filters.endDate ?? dayInZone(Date.now(), timeZone);
  const start = filters.startDate ?? addDays(end, -29);
  if (end < start) throw new AppError('validation_failed', 'end_date must not be before start_date');
  if (addDays(start, MAX_RANGE_DAYS - 1) < end) {
    throw new AppError('validation_failed', `a range spans at most ${MAX_RANGE_DAYS} days`);
  }
  return { start, end };
}

type Reconciled = Pick<UsageFigures, 'reconciled_input_tokens' | 'reconciled_output_tokens'>;

/**
 * THE join point for provider-reconciled token counts, filled by reconciliation/usage-join.ts:
 * null means "unknown", not zero (user- and department-level filters cannot be reconciled,
 * since providers do not know our people).
 */
async function loadReconciled(
  tx: Tx,
  orgId: string,
  query: { start: string; end: string; filters: UsageFilters; groupBy: UsageGroup | null },
): Promise<{
  totals: Reconciled;
  forRow: (row: Record<string, unknown>) => Reconciled;
  models: string[];
}> {
  return loadReconciledUsage(tx, orgId, query);
}

const ZERO: UsageTotals = {
  events: 0,
  bytes_up: 0,
  bytes_down: 0,
  est_input_tokens: 0,
  est_output_tokens: 0,
};

/**
 * Per-model rows also list the models only the provider saw: agents (SNI) cannot see the model,
 * so reconciled tokens of e.g. `claude-sonnet-4` have no estimated row to sit on.
 */
function withReconciledModels(
  data: Array<UsageTotals & Record<string, unknown>>,
  models: string[],
): Array<UsageTotals & Record<string, unknown>> {
  const seen = new Set(data.map((r) => r.model ?? null));
  const extra = models.filter((m) => !seen.has(m)).map((model) => ({ model, ...ZERO }));
  return [...data, ...extra];
}

import { AppError, periodOf, type Spend } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { createPriceLookup } from '../budgets/default-prices.js';
import { loadPeriodSpend } from '../budgets/period-spend.js';
import { ensurePeriod } from '../budgets/periods.js';
import { type BudgetRow, budgetLimit, budgetUnit } from '../budgets/service.js';
import type { BudgetState, OrgConfig } from './org-state.js';

/**
 * Reads everything preflight needs about one org for the period holding `now`: the department
 * tree, users, budgets with their period rows (created, and the previous period closed with its
 * rollover, when missing), approved exemptions, active blocks and prices.
 */
export async function loadOrgConfig(tx: Tx, orgId: string, now: Date): Promise<OrgConfig> {
  const org = await tx.db.selectFrom('orgs').select('time_zone').where('id', '=', orgId).executeTakeFirst();
  if (!org) throw new AppError('not_found', 'organization not found');
  const timeZone = org.time_zone;
  const period = periodOf(now, timeZone);
  const departments = await tx.db
    .selectFrom('departments')
    .select(['id', 'parent_id', 'name'])
    .where('org_id', '=', orgId)
    .execute();
  const parentOf = new Map(departments.map((d) => [d.id, d.parent_id]));
  const deptName = new Map(departments.map((d) => [d.id, d.name]));
  const users = await tx.db
    .selectFrom('users')
    .select(['id', 'email', 'department_id'])
    .where('org_id', '=', orgId)
    .execute();
  const overrides = await tx.db
    .selectFrom('model_prices')
    .select(['provider', 'model', 'input_per_mtok', 'output_per_mtok'])
    .where('org_id', '=', orgId)
    .execute();
  const priceOf = createPriceLookup(overrides);
  const rows: BudgetRow[] = await tx.db
    .selectFrom('budgets')
    .select([
      'id',
      'department_id',
      'limit_tokens',
      'limit_cost',
      'cap',
      'thresholds',
      'rollover_cap_pct',
      'created_at',
      'updated_at',
    ])
    .where('org_id', '=', orgId)
    .execute();
  const budgets: BudgetState[] = [];
  for (const b of rows) {
    const p = await ensurePeriod(tx, orgId, b, period.key, { timeZone, parentOf, priceOf });
    budgets.push({
      id: b.id,
      departmentId: b.department_id,
      scopeName: b.department_id ? (deptName.get(b.department_id) ?? b.department_id) : 'the organisation',
      unit: budgetUnit(b),
      cap: b.cap,
      thresholds: b.thresholds,
      // The live base limit (an edit applies at once); rollover is fixed per period.
      base: budgetLimit(b),
      rolloverIn: p.rollover_in,
      fired: new Set(p.thresholds_fired),
    });
  }
  const exemptionRows = await tx.db
    .selectFrom('budget_exemptions')
    .select(['user_id', 'budget_id', 'kind', 'raise_tokens'])
    .where('org_id', '=', orgId)
    .where('period', '=', period.key)
    .where('status', '=', 'approved')
    .execute();
  const exemptions: OrgConfig['exemptions'] = new Map();
  for (const e of exemptionRows) {
    const key = `${e.user_id}|${e.budget_id}`;
    const prev = exemptions.get(key);
    if (e.kind === 'lift' || prev?.kind === 'lift') exemptions.set(key, { kind: 'lift' });
    else
      exemptions.set(key, {
        kind: 'raise',
        tokens: (prev?.kind === 'raise' ? prev.tokens : 0) + (e.raise_tokens ?? 0),
      });
  }
  const blockRows = await tx.db
    .selectFrom('user_blocks')
    .select(['user_id', 'reason', 'until'])
    .where('org_id', '=', orgId)
    .execute();
  return {
    timeZone,
    period,
    parentOf,
    deptName,
    userDept: new Map(users.map((u) => [u.id, u.department_id])),
    emailToUser: new Map(users.map((u) => [u.email.toLowerCase(), u.id])),
    budgets,
    blocks: new Map(
      blockRows.map((b) => [b.user_id, { reason: b.reason, until: b.until?.getTime() ?? null }]),
    ),
    exemptions,
    priceOf,
  };
}

/** Configuration plus the period's spend per department, from one consistent snapshot. */
export async function loadOrgSnapshot(
  tx: Tx,
  orgId: string,
  now: Date,
): Promise<{ config: OrgConfig; own: Map<string | null, Spend> }> {
  const config = await loadOrgConfig(tx, orgId, now);
  const own = await loadPeriodSpend(tx, orgId, config.timeZone, config.period, config.priceOf);
  return { config, own };
}

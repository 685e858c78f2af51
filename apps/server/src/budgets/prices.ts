import { AppError } from '@toktra/core';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { emitEvent } from '../events/outbox.js';
import { DEFAULT_PRICES, type PriceRow } from './default-prices.js';

export interface PriceView extends PriceRow {
  source: 'default' | 'org';
}

/** The effective price list: built-in rows, each replaced by the org's override when it has one. */
export async function listPrices(ctx: AppContext, orgId: string): Promise<PriceView[]> {
  const overrides = await loadPriceOverrides(ctx, orgId);
  const merged = new Map<string, PriceView>();
  for (const row of DEFAULT_PRICES) merged.set(`${row.provider}|${row.model}`, { ...row, source: 'default' });
  for (const row of overrides) merged.set(`${row.provider}|${row.model}`, { ...row, source: 'org' });
  return [...merged.values()].sort((a, b) =>
    a.provider === b.provider ? a.model.localeCompare(b.model) : a.provider.localeCompare(b.provider),
  );
}

export async function loadPriceOverrides(ctx: AppContext, orgId: string): Promise<PriceRow[]> {
  return ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('model_prices')
      .select(['provider', 'model', 'input_per_mtok', 'output_per_mtok'])
      .where('org_id', '=', orgId)
      .execute(),
  );
}

/** Sets the org's price for a provider and model (`*` = every model of the provider). Audited. */
export async function setPrice(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  row: PriceRow,
): Promise<PriceView> {
  await ctx.db.withTenant(orgId, async (tx) => {
    const values = {
      input_per_mtok: row.input_per_mtok,
      output_per_mtok: row.output_per_mtok,
      updated_at: new Date(),
    };
    await tx.db
      .insertInto('model_prices')
      .values({ org_id: orgId, provider: row.provider, model: row.model, ...values })
      .onConflict((oc) => oc.columns(['org_id', 'provider', 'model']).doUpdateSet(values))
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'price.set',
      targetType: 'price',
      targetId: `${row.provider}/${row.model}`,
      details: { ...row },
    });
    await emitEvent(ctx, tx, orgId, 'budget.changed', { what: 'price' });
  });
  return { ...row, source: 'org' };
}

/** Removes the org's override, so the built-in price (if any) applies again. */
export async function deletePrice(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  provider: string,
  model: string,
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    const removed = await tx.db
      .deleteFrom('model_prices')
      .where('org_id', '=', orgId)
      .where('provider', '=', provider)
      .where('model', '=', model)
      .returning('provider')
      .executeTakeFirst();
    if (!removed) throw new AppError('not_found', `no price override for ${provider}/${model}`);
    await appendAudit(tx, orgId, actor, {
      action: 'price.delete',
      targetType: 'price',
      targetId: `${provider}/${model}`,
    });
    await emitEvent(ctx, tx, orgId, 'budget.changed', { what: 'price' });
  });
}

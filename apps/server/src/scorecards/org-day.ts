import { AppError } from '@toktra/core';
import type { AppContext } from '../context.js';

export async function orgTimeZoneOf(ctx: AppContext, orgId: string): Promise<string> {
  const org = await ctx.db.withTenant(orgId, (tx) =>
    tx.db.selectFrom('orgs').select('time_zone').where('id', '=', orgId).executeTakeFirst(),
  );
  if (!org) throw new AppError('not_found', `organization ${orgId} not found`);
  return org.time_zone;
}

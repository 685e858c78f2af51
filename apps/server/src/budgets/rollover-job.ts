import { z } from 'zod';
import { defineJob } from '../jobs/define-job.js';
import { loadOrgConfig } from '../preflight/load.js';

/**
 * Period turnover for every org with budgets: creating the current period's rows closes the
 * previous period (spend snapshot) and records its rollover. Idempotent, so running it every
 * few minutes means each period closes within minutes of its end, in every time zone.
 */
export const budgetRolloverJob = defineJob({
  name: 'budgets.rollover',
  payload: z.object({ orgId: z.string().uuid().optional() }).default({}),
  async run(ctx, payload) {
    const orgs = payload.orgId
      ? [payload.orgId]
      : (await ctx.db.system(({ db }) => db.selectFrom('budgets').select('org_id').distinct().execute())).map(
          (r) => r.org_id,
        );
    for (const orgId of orgs) {
      await ctx.db.withTenant(orgId, (tx) => loadOrgConfig(tx, orgId, new Date()));
    }
  },
});

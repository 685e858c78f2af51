import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { refreshEfficiencyScores } from '../efficiency/job.js';
import { defineJob } from '../jobs/define-job.js';
import { dayInZone } from '../usage/time-zone.js';
import { refreshScorecards } from './service.js';

/**
 * Nightly: for every org whose local day has turned since its last scorecards, store the day's
 * efficiency scores and scorecards. Runs hourly so each org is served soon after its midnight.
 */
export const nightlyScorecardsJob = defineJob({
  name: 'scorecards.nightly',
  payload: z.object({}).passthrough(),
  async run(ctx: AppContext) {
    const orgs = await ctx.db.system(({ db }) =>
      sql<{ id: string; time_zone: string; last: string | null }>`
        SELECT o.id, o.time_zone, (SELECT max(day)::text FROM scorecards s WHERE s.org_id = o.id) AS last
        FROM orgs o`.execute(db),
    );
    for (const org of orgs.rows) {
      const today = dayInZone(Date.now(), org.time_zone);
      if (org.last === today) continue;
      try {
        await refreshEfficiencyScores(ctx, org.id, today);
        await refreshScorecards(ctx, org.id, today);
      } catch (err) {
        ctx.logger.error({ err, orgId: org.id }, 'nightly scorecards failed');
      }
    }
  },
});

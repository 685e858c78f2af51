import { z } from 'zod';
import { defineJob } from '../jobs/define-job.js';
import { enforceRetention } from './service.js';

/** Hourly: deletes usage past each org's retention (batched, see enforceRetention). */
export const retentionJob = defineJob({
  name: 'retention.enforce',
  payload: z.object({}).passthrough(),
  async run(ctx) {
    const result = await enforceRetention(ctx.db, new Date());
    if (result.events + result.usage_hourly + result.usage_daily > 0)
      ctx.logger.info({ result }, 'retention enforced');
  },
});

import { z } from 'zod';
import { defineJob } from '../jobs/define-job.js';
import { purgeExpiredPerks } from './ledger.js';

/** Token Perks' 90-day TTL: deletes what has expired (reads hide it from the exact instant anyway). */
export const purgePerksJob = defineJob({
  name: 'perks.purge',
  payload: z.object({}).passthrough(),
  async run(ctx) {
    const purged = await purgeExpiredPerks(ctx);
    if (purged.entries + purged.redemptions > 0)
      ctx.logger.info(purged, 'expired Token Perks records purged');
  },
});

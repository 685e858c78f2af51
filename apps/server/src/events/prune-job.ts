import { sql } from 'kysely';
import { z } from 'zod';
import { defineJob } from '../jobs/define-job.js';

/** How long outbox rows are kept: long enough for any node to catch up, and to inspect. */
export const EVENT_RETENTION_DAYS = 7;

/** Hourly: deletes outbox rows (and, by cascade, their receipts) older than the retention. */
export const pruneEventsJob = defineJob({
  name: 'events.prune',
  payload: z.object({}).passthrough(),
  async run(ctx) {
    for (const store of ctx.db.stores())
      await store.system(({ db }) =>
        db
          .deleteFrom('domain_events')
          .where('created_at', '<', sql<Date>`now() - make_interval(days => ${EVENT_RETENTION_DAYS})`)
          .execute(),
      );
  },
});

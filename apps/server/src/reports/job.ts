import { z } from 'zod';
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';
import { sendReport } from './service.js';

/**
 * Every minute: send each enabled schedule whose next_run_at has passed, then move it to its
 * next slot (also after a failure, which is recorded on the schedule as last_error — a broken
 * SMTP server must not make the worker resend every minute).
 */
export const sendDueReportsJob = defineJob({
  name: 'reports.due',
  payload: z.object({}).passthrough(),
  async run(ctx: AppContext) {
    const now = new Date();
    const due = await ctx.db.system(({ db }) =>
      db
        .selectFrom('report_schedules')
        .select(['org_id', 'id'])
        .where('enabled', '=', true)
        .where('next_run_at', '<=', now)
        .orderBy('next_run_at')
        .limit(100)
        .execute(),
    );
    for (const schedule of due) {
      try {
        await sendReport(ctx, schedule.org_id, schedule.id, { advance: true, now });
      } catch (err) {
        ctx.logger.warn({ err, scheduleId: schedule.id }, 'scheduled report failed');
      }
    }
  },
});

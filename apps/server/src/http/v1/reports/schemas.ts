import { z } from 'zod';

export const scheduleSchema = z.object({
  id: z.string(),
  name: z.string(),
  frequency: z.enum(['daily', 'weekly', 'monthly']),
  day_of_week: z.number().nullable(),
  day_of_month: z.number().nullable(),
  time_of_day: z.string(),
  time_zone: z.string(),
  recipients: z.array(z.string()),
  enabled: z.boolean(),
  next_run_at: z.string(),
  last_sent_at: z.string().nullable(),
  last_error: z.string().nullable(),
});

import { z } from 'zod';
import type { UserBlock } from '../../../budgets/blocks.js';

export const blockSchema = z.object({
  user_id: z.string(),
  reason: z.string(),
  source: z.string().describe('"admin", or "policy:<id>" when a policy action blocked the user'),
  until: z.string().nullable(),
  created_at: z.string(),
});

export function toBlockJson(b: UserBlock): z.infer<typeof blockSchema> {
  return { ...b, until: b.until?.toISOString() ?? null, created_at: b.created_at.toISOString() };
}

import { z } from 'zod';
import { dateSchema, idSchema } from '../responses.js';

export const trendSchema = z
  .enum(['up', 'down', 'flat', 'new'])
  .describe('vs the previous window; new = no previous score');
export const tierSchema = z.enum(['standard', 'advanced', 'premium']);

export const componentsSchema = z.object({
  output_yield: z.number().nullable(),
  model_fit: z.number().nullable(),
  burst_discipline: z.number().nullable(),
  context_hygiene: z.number().nullable(),
});

export const windowQuery = {
  window_days: z.coerce.number().int().min(7).max(90).optional().describe('default 30'),
  end_date: dateSchema.optional().describe('last day of the window; default today'),
};

export const departmentQuery = { department_id: idSchema.optional().describe('a department subtree') };

export const booleanQuery = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => v === 'true');

import { z } from 'zod';

export const alertSchema = z.object({
  id: z.string(),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  status: z.enum(['open', 'acknowledged']),
  title: z.string(),
  body: z.string(),
  source: z.string(),
  source_id: z.string().nullable(),
  user_id: z.string().nullable(),
  department_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  acknowledged_by: z.string().nullable(),
  acknowledged_at: z.string().nullable(),
  created_at: z.string(),
});

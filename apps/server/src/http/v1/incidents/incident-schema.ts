import { z } from 'zod';

export const incidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  assignee_id: z.string().nullable(),
  user_id: z.string().nullable(),
  policy_id: z.string().nullable(),
  firing_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
});

export const timelineEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor_type: z.string(),
  actor_id: z.string().nullable(),
  kind: z.string(),
  details: z.record(z.string(), z.unknown()),
});

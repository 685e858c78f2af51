import { DATA_REQUEST_KINDS, DATA_REQUEST_REGIMES } from '@toktra/db';
import { z } from 'zod';

export const DataRequest = z.object({
  id: z.string(),
  kind: z.enum(DATA_REQUEST_KINDS),
  regime: z.enum(DATA_REQUEST_REGIMES),
  status: z.enum(['open', 'completed', 'rejected']),
  outcome: z.string().nullable(),
  subject: z.object({ user_id: z.string(), email: z.string(), name: z.string() }).nullable(),
  pseudonym: z.string(),
  submitted_at: z.string(),
  due_at: z.string().describe('GDPR: 30 days after submission; CCPA: 45 days'),
  completed_at: z.string().nullable(),
  overdue: z.boolean(),
  export_available: z.boolean(),
});

export const formatQuery = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();

import { z } from 'zod';
import type { ExemptionRow } from '../../../budgets/exemptions.js';
import { monthSchema, pathIdSchema } from '../../../validation.js';

export const exemptionSchema = z.object({
  id: z.string(),
  budget_id: z.string(),
  user_id: z.string(),
  period: z.string(),
  kind: z.enum(['raise', 'lift']),
  raise_tokens: z.number().nullable(),
  justification: z.string(),
  status: z.enum(['requested', 'approved', 'rejected']),
  requested_by_type: z.string(),
  requested_by: z.string().nullable(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  decision_note: z.string().nullable(),
  created_at: z.string(),
});

export function toExemptionJson(e: ExemptionRow): z.infer<typeof exemptionSchema> {
  return { ...e, decided_at: e.decided_at?.toISOString() ?? null, created_at: e.created_at.toISOString() };
}

export const exemptionParamsSchema = z.object({ id: pathIdSchema() });
export const periodSchema = monthSchema;

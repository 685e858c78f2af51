import { z } from 'zod';
import { type BudgetRow, budgetUnit } from '../../../budgets/service.js';
import type { BudgetGauge } from '../../../budgets/tree-view.js';
import { pathIdSchema } from '../../../validation.js';

export const thresholdsSchema = z
  .array(z.number().int().min(1).max(100))
  .max(10)
  .describe('alert percentages of the period limit, each fires once per period (100 always fires)');

export const gaugeSchema = z.object({
  id: z.string(),
  cap: z.enum(['soft', 'hard']),
  unit: z.enum(['tokens', 'cost']),
  limit: z.number(),
  rollover_in: z.number(),
  effective_limit: z.number(),
  spent: z.number(),
  used_pct: z.number(),
  remaining: z.number(),
  thresholds: z.array(z.number()),
  thresholds_fired: z.array(z.number()),
});

export const budgetSchema = z.object({
  id: z.string(),
  department_id: z.string().nullable().describe('null = the whole organisation'),
  unit: z.enum(['tokens', 'cost']),
  limit_tokens: z.number().nullable(),
  limit_cost: z.number().nullable(),
  cap: z.enum(['soft', 'hard']),
  thresholds: z.array(z.number()),
  rollover_cap_pct: z.number().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  current: gaugeSchema.nullable().describe('this period, live: limit + rollover, spend, thresholds fired'),
});

export function toBudgetJson(b: BudgetRow, current: BudgetGauge | null): z.infer<typeof budgetSchema> {
  return {
    id: b.id,
    department_id: b.department_id,
    unit: budgetUnit(b),
    limit_tokens: b.limit_tokens,
    limit_cost: b.limit_cost,
    cap: b.cap,
    thresholds: b.thresholds,
    rollover_cap_pct: b.rollover_cap_pct,
    created_at: b.created_at.toISOString(),
    updated_at: b.updated_at.toISOString(),
    current,
  };
}

export const budgetParamsSchema = z.object({ id: pathIdSchema() });

import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../../audit/service.js';
import { type BudgetRow, budgetUnit } from '../../../budgets/service.js';
import type { BudgetGauge } from '../../../budgets/tree-view.js';
import { pathIdSchema } from '../../../validation.js';
import { principalOf } from '../../auth.js';

/** The audit actor of an authenticated request (a dashboard user or an API key). */
export function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return p.kind === 'user'
    ? { type: 'user', id: p.userId ?? null }
    : { type: 'api_key', id: p.keyId ?? null };
}

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

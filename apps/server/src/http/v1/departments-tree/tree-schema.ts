import { z } from 'zod';
import { gaugeSchema } from '../budgets/budget-schema.js';

export interface TreeNodeJson {
  id: string;
  name: string;
  parent_id: string | null;
  own_tokens: number;
  own_cost: number;
  total_tokens: number;
  total_cost: number;
  budget: z.infer<typeof gaugeSchema> | null;
  children: TreeNodeJson[];
}

// Children are documented as "the same shape" rather than as a recursive schema: a z.lazy
// self-reference becomes a dangling $ref in the generated OpenAPI document.
export const treeNodeSchema = z.object({
  id: z.string(),
  name: z.string(),
  parent_id: z.string().nullable(),
  own_tokens: z.number(),
  own_cost: z.number(),
  total_tokens: z.number().describe('this department and every descendant, this period'),
  total_cost: z.number(),
  budget: gaugeSchema.nullable(),
  children: z.array(z.unknown()).describe('child departments, each a node of this same shape'),
});

export const treeSchema = z.object({
  period: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  time_zone: z.string(),
  org: z.object({
    total_tokens: z.number(),
    total_cost: z.number(),
    unattributed_tokens: z.number(),
    budget: gaugeSchema.nullable(),
  }),
  departments: z.array(treeNodeSchema),
});

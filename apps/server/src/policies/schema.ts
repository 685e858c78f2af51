import {
  CONDITION_FIELDS,
  CONDITION_OPS,
  type ConditionNode,
  checkConditions,
  MAX_CONDITION_DEPTH,
} from '@toktra/core';
import { z } from 'zod';

export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);

const leafSchema = z.object({
  field: z.enum(CONDITION_FIELDS),
  op: z.enum(CONDITION_OPS),
  value: z.union([
    z.string().max(200),
    z.number(),
    z.array(z.union([z.string().max(200), z.number()])).max(500),
  ]),
});

const conditionTree: z.ZodType<ConditionNode> = z.lazy(() =>
  z.union([
    leafSchema.strict(),
    z.object({ all: z.array(conditionTree).max(50) }).strict(),
    z.object({ any: z.array(conditionTree).max(50) }).strict(),
  ]),
);

/** How deep `all`/`any` groups nest in `value`, counted without recursion; stops past the limit. */
function groupDepth(value: unknown): number {
  let level: unknown[] = [value];
  for (let depth = 0; depth <= MAX_CONDITION_DEPTH + 1; depth += 1) {
    const next: unknown[] = [];
    for (const node of level) {
      if (typeof node !== 'object' || node === null) continue;
      const group = (node as { all?: unknown; any?: unknown }).all ?? (node as { any?: unknown }).any;
      if (Array.isArray(group)) next.push(...group);
    }
    if (next.length === 0) return depth;
    level = next;
  }
  return MAX_CONDITION_DEPTH + 2;
}

/**
 * A condition tree. Validated by the recursive schema above but published to OpenAPI as a plain
 * object (recursive Zod schemas produce `$ref`s the generator cannot place).
 */
export const conditionSchema = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    // Measured before the recursive parse, which would otherwise descend as deep as the input goes.
    if (groupDepth(value) > MAX_CONDITION_DEPTH) {
      ctx.addIssue({ code: 'custom', message: `groups nest at most ${MAX_CONDITION_DEPTH} deep` });
      return;
    }
    const parsed = conditionTree.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  })
  .describe(
    'A condition tree: leaves {field, op, value}; groups {"all": [...]} (AND) and {"any": [...]} (OR), nested up to 8 deep',
  ) as unknown as z.ZodType<ConditionNode>;

/** Triggers and their parameters (what each measures is documented in docs/policies.md). */
export const triggerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('budget_exceeded'),
    params: z
      .object({ min_threshold_pct: z.number().min(0).max(1000).default(100) })
      .strict()
      .default({ min_threshold_pct: 100 }),
  }),
  z.object({ type: z.literal('ip_risk'), params: z.object({}).strict().default({}) }),
  z.object({
    type: z.literal('unusual_usage'),
    params: z
      .object({
        min_zscore: z.number().min(0).max(1000).default(3.5),
        granularity: z.enum(['day', 'hour']).default('day'),
        /** Ignore buckets below this many tokens (a first small use is not an anomaly). */
        min_tokens: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ min_zscore: 3.5, granularity: 'day', min_tokens: 0 }),
  }),
  z.object({
    type: z.literal('department_threshold'),
    params: z
      .object({ limit_tokens: z.number().int().min(1), period: z.enum(['day', 'month']).default('month') })
      .strict(),
  }),
  z.object({
    type: z.literal('shadow_ai_gap'),
    params: z
      .object({ min_gap_tokens: z.number().min(0).default(0) })
      .strict()
      .default({ min_gap_tokens: 0 }),
  }),
]);
export type PolicyTrigger = z.output<typeof triggerSchema>;
export type TriggerType = PolicyTrigger['type'];

export const actionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('email_user') }).strict(),
  z.object({ type: z.literal('email_manager') }).strict(),
  z
    .object({
      type: z.literal('block_user'),
      /** How long the block lasts; none = until an admin lifts it (or an exemption). */
      duration_hours: z
        .number()
        .int()
        .min(1)
        .max(24 * 366)
        .optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('create_incident'),
      assignee_id: z.uuid().optional(),
      severity: severitySchema.optional(),
    })
    .strict(),
  z.object({ type: z.literal('webhook'), endpoint_id: z.uuid() }).strict(),
]);
export type PolicyAction = z.output<typeof actionSchema>;

export const policyContentSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).default(''),
    severity: severitySchema.default('medium'),
    trigger: triggerSchema,
    conditions: conditionSchema.nullable().default(null),
    actions: z.array(actionSchema).min(1).max(10),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.conditions) {
      for (const problem of checkConditions(value.conditions))
        ctx.addIssue({ code: 'custom', message: problem });
    }
  });
export type PolicyContent = z.output<typeof policyContentSchema>;

/** An edit: any subset of the content; the rest carries over from the current version. */
export const policyPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000),
    severity: severitySchema,
    trigger: triggerSchema,
    conditions: conditionSchema.nullable(),
    actions: z.array(actionSchema).min(1).max(10),
  })
  .partial()
  .strict();

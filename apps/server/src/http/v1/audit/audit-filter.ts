import { z } from 'zod';

export const auditFilterQuery = z.object({
  action: z.string().max(100).optional().describe('exact, or a prefix ending in ".*" (e.g. policy.*)'),
  actor_type: z.enum(['user', 'api_key', 'system', 'cli', 'device']).optional(),
  actor_id: z.string().max(100).optional(),
  target_type: z.string().max(100).optional(),
  target_id: z.string().max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export function toFilter(q: z.output<typeof auditFilterQuery>) {
  const { from, to, ...rest } = q;
  return { ...rest, ...(from ? { from: new Date(from) } : {}), ...(to ? { to: new Date(to) } : {}) };
}

export const auditEntrySchema = z.object({
  seq: z.number(),
  at: z.string(),
  actor_type: z.string(),
  actor_id: z.string().nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  actor_name: z
    .string()
    .nullable()
    .describe("who acted, by name (a user's name or email, an API key's name); null when unknown or erased"),
  target_name: z
    .string()
    .nullable()
    .describe("what it concerned, by today's name (Budget 'Backend', a policy, a user …); null when unknown"),
  prev_hash: z.string(),
  hash: z.string(),
});

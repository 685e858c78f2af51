import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { preflight } from '../../../preflight/service.js';
import { orgOf } from '../../auth.js';
import { commonErrors, idSchema } from '../responses.js';

export const preflightBody = z
  .object({
    user_id: idSchema.optional(),
    user_email: z.string().trim().min(3).max(320).optional(),
    provider: z.string().trim().min(1).max(100).optional(),
    model: z.string().trim().min(1).max(200).optional(),
    estimated_tokens: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .optional()
      .describe('tokens the request is expected to use; held against the budget until its usage arrives'),
  })
  .strict()
  .refine((b) => (b.user_id === undefined) !== (b.user_email === undefined), {
    message: 'give exactly one of user_id or user_email',
  });

export const preflightAnswer = z.object({
  allow: z.boolean(),
  reason: z.string(),
  remaining_tokens: z
    .number()
    .nullable()
    .describe('the tightest remaining allowance; null = no limit applies'),
  code: z.enum(['ok', 'soft_cap', 'no_budget', 'hard_cap', 'blocked']),
  budget_id: z.string().nullable(),
  user_id: z.string(),
  period: z.string(),
});

/**
 * `POST /v1/preflight`: may this user send an LLM request now? Answered from memory. No rate
 * limit here: it is called once per LLM request and must stay cheap.
 */
export function registerPreflight(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/preflight',
    {
      // Verified keys are cached briefly: preflight runs once per LLM request.
      config: { auth: { kind: 'principal', via: 'api_key', keyScopes: ['ingest', 'read'], cachedKey: true } },
      schema: {
        tags: ['budgets'],
        summary: 'Preflight: allow or deny an LLM request',
        body: preflightBody,
        response: { 200: preflightAnswer, ...commonErrors },
      },
    },
    async (request) => preflight(ctx, orgOf(request), request.body),
  );
}

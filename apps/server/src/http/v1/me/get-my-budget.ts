import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { getMyBudget } from '../../../budgets/my-budget.js';
import type { AppContext } from '../../../context.js';
import { principalOf } from '../../auth.js';
import { commonErrors } from '../responses.js';

const querySchema = z
  .object({
    status: z
      .enum(['requested', 'approved', 'rejected'])
      .optional()
      .describe('only my exemption requests in this state'),
  })
  .strict();

const responseSchema = z.object({
  period: z.string(),
  status: z
    .object({
      allow: z.boolean(),
      blocked: z.boolean(),
      code: z.enum(['ok', 'soft_cap', 'no_budget', 'hard_cap', 'blocked']),
      reason: z.string(),
      remaining_tokens: z.number().nullable(),
      budget_id: z.string().nullable().describe('the budget whose hard cap blocks; an exemption names it'),
    })
    .describe('the same answer preflight gives me now (nothing reserved)'),
  budgets: z.array(
    z.object({
      id: z.string(),
      department_id: z.string().nullable().describe('null: the org-wide budget'),
      scope_name: z.string(),
      cap: z.enum(['soft', 'hard']),
      unit: z.enum(['tokens', 'cost']),
      limit: z.number().describe('this period, rollover included, in `unit`'),
      used: z.number().describe('this period, in `unit`, by the whole scope'),
      used_tokens: z.number(),
      exemption: z
        .union([
          z.object({ kind: z.literal('lift') }),
          z.object({ kind: z.literal('raise'), tokens: z.number() }),
        ])
        .nullable()
        .describe('my approved exemption on this budget for the period'),
    }),
  ),
  exemptions: z.array(
    z.object({
      id: z.string(),
      budget_id: z.string(),
      period: z.string(),
      kind: z.enum(['raise', 'lift']),
      raise_tokens: z.number().nullable(),
      justification: z.string(),
      status: z.enum(['requested', 'approved', 'rejected']),
      decision_note: z.string().nullable(),
      decided_at: z.string().nullable(),
      created_at: z.string(),
    }),
  ),
});

/**
 * `GET /v1/me/budget`: the signed-in person's budget status, the budgets over them and their own
 * exemption requests (employee portal; the extension's "request an exemption" link lands here).
 */
export function registerGetMyBudget(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me/budget',
    {
      schema: {
        tags: ['me'],
        summary: 'My budget status and exemption requests',
        querystring: querySchema,
        response: { 200: responseSchema, ...commonErrors },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request) => {
      const principal = principalOf(request);
      if (!principal.userId) throw new AppError('bad_request', 'an API key has no budget of its own');
      const mine = await getMyBudget(ctx, principal.orgId, principal.userId, request.query);
      return {
        ...mine,
        exemptions: mine.exemptions.map((e) => ({
          id: e.id,
          budget_id: e.budget_id,
          period: e.period,
          kind: e.kind,
          raise_tokens: e.raise_tokens,
          justification: e.justification,
          status: e.status,
          decision_note: e.decision_note,
          decided_at: e.decided_at?.toISOString() ?? null,
          created_at: e.created_at.toISOString(),
        })),
      };
    },
  );
}

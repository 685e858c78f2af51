import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { perksSummary, setMonthlyAllowance } from '../../../perks/allowance.js';
import { actorOf, orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';

const summarySchema = z.object({
  enrollments: z.number(),
  monthly_allowance_tokens: z.number(),
  min_aggregate_size: z.number(),
  periods: z.array(
    z.object({
      period: z.string(),
      redeemed_tokens: z.number().nullable(),
      redeeming_employees: z.number().nullable(),
    }),
  ),
});

/**
 * The admin's whole view of Token Perks: `GET /v1/perks/summary` (enrollment count, redemption
 * sums per month over at least `min_aggregate_size` employees) and `PUT /v1/perks/settings` (the
 * monthly allowance). There is deliberately no admin route to a person's enrollment or entries.
 */
export function registerPerksAdmin(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/perks/summary',
    {
      schema: {
        tags: ['perks'],
        summary: 'Token Perks aggregates: enrollment count, allowance, redemptions per month',
        response: { 200: summarySchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) => perksSummary(ctx, orgOf(request)),
  );
  typed.put(
    '/v1/perks/settings',
    {
      schema: {
        tags: ['perks'],
        summary: 'Set the monthly Token Perks allowance per enrolled employee',
        body: z.object({ monthly_allowance_tokens: z.number().int().min(0).max(1_000_000_000_000) }).strict(),
        response: { 200: z.object({ monthly_allowance_tokens: z.number() }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request) =>
      setMonthlyAllowance(ctx, orgOf(request), actorOf(request), request.body.monthly_allowance_tokens),
  );
}

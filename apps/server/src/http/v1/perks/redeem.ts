import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { redeem } from '../../../perks/allowance.js';
import { orgOf } from '../../auth.js';
import { commonErrors, errorSchema } from '../responses.js';
import { allowanceSchema, employeeOf, periodSchema } from './shared.js';

const redeemBody = z
  .object({
    period: periodSchema,
    amount_tokens: z.number().int().positive().max(1_000_000_000_000),
    /** Idempotency key chosen by the browser; a retry with the same key redeems once. */
    client_id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 URL-safe characters'),
  })
  .strict();

/** `POST /v1/me/perks/redemptions`: redeem an amount of my allowance (the amount, never the usage). */
export function registerRedeem(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/me/perks/redemptions',
    {
      schema: {
        tags: ['perks'],
        summary: 'Redeem part of my monthly Token Perks allowance',
        body: redeemBody,
        response: {
          201: allowanceSchema,
          409: errorSchema.describe('conflict: more than the allowance that remains'),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request, reply) => {
      const balance = await redeem(ctx, orgOf(request), employeeOf(request), {
        period: request.body.period,
        amountTokens: request.body.amount_tokens,
        clientId: request.body.client_id,
      });
      return reply.status(201).send(balance);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { setPrice } from '../../../budgets/prices.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { priceParamsSchema, priceSchema } from './price-schema.js';

const bodySchema = z
  .object({
    input_per_mtok: z.number().min(0).max(1e6),
    output_per_mtok: z.number().min(0).max(1e6),
  })
  .strict();

/** `PUT /v1/prices/{provider}/{model}`: the org's own price (audited; money budgets re-cost at once). */
export function registerSetPrice(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().put(
    '/v1/prices/:provider/:model',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Set a model price',
        params: priceParamsSchema,
        body: bodySchema,
        response: { 200: priceSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      setPrice(ctx, orgOf(request), actorOf(request), { ...request.params, ...request.body }),
  );
}

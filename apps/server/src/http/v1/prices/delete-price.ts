import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { deletePrice } from '../../../budgets/prices.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { priceParamsSchema } from './price-schema.js';

/** `DELETE /v1/prices/{provider}/{model}`: back to the built-in price (audited). */
export function registerDeletePrice(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().delete(
    '/v1/prices/:provider/:model',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Remove an org price override',
        params: priceParamsSchema,
        response: { 204: z.null().describe('deleted'), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await deletePrice(ctx, orgOf(request), actorOf(request), request.params.provider, request.params.model);
      return reply.status(204).send(null);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { listPrices } from '../../../budgets/prices.js';
import type { AppContext } from '../../../context.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { priceSchema } from './price-schema.js';

/** `GET /v1/prices`: the effective price table (built-in rows, org overrides marked `org`). */
export function registerListPrices(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/prices',
    {
      schema: {
        tags: ['budgets'],
        summary: 'List model prices',
        response: { 200: z.object({ data: z.array(priceSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listPrices(ctx, orgOf(request)) }),
  );
}

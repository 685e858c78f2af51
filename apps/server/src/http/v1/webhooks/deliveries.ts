import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { decodeDeliveryCursor, listDeliveries, replayDelivery } from '../../../delivery/deliveries.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors, errorSchema } from '../responses.js';
import { deliverySchema } from './endpoint-schema.js';

const query = z
  .object({
    status: z.enum(['pending', 'delivered', 'dead']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(300).optional(),
  })
  .strict();

/** `GET /v1/webhooks/{id}/deliveries` (the delivery log) and `POST /v1/webhooks/deliveries/{id}/replay`. */
export function registerDeliveryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delivery log of an endpoint (newest first)',
        params: idParams,
        querystring: query,
        response: {
          200: z.object({ data: z.array(deliverySchema), next_cursor: z.string().nullable() }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const before = decodeDeliveryCursor(request.query.cursor);
      return listDeliveries(ctx.db, orgOf(request), uuidOr404(request.params.id, 'webhook endpoint'), {
        limit: request.query.limit,
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(before ? { before } : {}),
      });
    },
  );
  typed.post(
    '/v1/webhooks/deliveries/:id/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again (same webhook-id)',
        params: idParams,
        response: { 202: deliverySchema, ...commonErrors, 409: errorSchema },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          await replayDelivery(
            ctx.db,
            orgOf(request),
            actorOf(request),
            uuidOr404(request.params.id, 'webhook delivery'),
          ),
        ),
  );
}

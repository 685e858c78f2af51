import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  updateEndpoint,
} from '../../../delivery/webhooks.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';
import { endpointSchema, eventTypesSchema } from './endpoint-schema.js';

const url = z.string().min(8).max(2000);
const createBody = z
  .object({ url, description: z.string().max(500).optional(), event_types: eventTypesSchema.optional() })
  .strict();
const patchBody = z
  .object({ url, description: z.string().max(500), event_types: eventTypesSchema, enabled: z.boolean() })
  .partial()
  .strict();

/**
 * Webhook endpoint management: `POST/GET /v1/webhooks`, `GET/PATCH/DELETE /v1/webhooks/{id}`.
 * The `whsec_` signing secret is returned once, on creation.
 */
export function registerEndpointRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Add a webhook endpoint',
        body: createBody,
        response: { 201: endpointSchema.extend({ secret: z.string() }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) =>
      reply.status(201).send(await createEndpoint(ctx, orgOf(request), actorOf(request), request.body)),
  );
  typed.get(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'List webhook endpoints',
        response: { 200: z.object({ data: z.array(endpointSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listEndpoints(ctx.db, orgOf(request)) }),
  );
  typed.get(
    '/v1/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Get a webhook endpoint',
        params: idParams,
        response: { 200: endpointSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => getEndpoint(ctx.db, orgOf(request), uuidOr404(request.params.id, 'webhook endpoint')),
  );
  typed.patch(
    '/v1/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Change or (re-)enable a webhook endpoint',
        params: idParams,
        body: patchBody,
        response: { 200: endpointSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      updateEndpoint(
        ctx,
        orgOf(request),
        actorOf(request),
        uuidOr404(request.params.id, 'webhook endpoint'),
        request.body,
      ),
  );
  typed.delete(
    '/v1/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint',
        params: idParams,
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await deleteEndpoint(
        ctx.db,
        orgOf(request),
        actorOf(request),
        uuidOr404(request.params.id, 'webhook endpoint'),
      );
      return reply.status(204).send(null);
    },
  );
}

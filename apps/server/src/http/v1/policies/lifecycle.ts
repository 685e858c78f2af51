import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { deletePolicy, disablePolicy, publishPolicy } from '../../../policies/service.js';
import { boundedInt } from '../../../validation.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, errorSchema } from '../responses.js';
import { idParams, policySchema, uuidOr404 } from './shared.js';

const publishBody = z
  .object({
    version: boundedInt(1).optional().describe('default: the current version; an older one rolls back'),
  })
  .strict()
  .default({});

/** `POST /v1/policies/{id}/publish`, `POST /v1/policies/{id}/disable`, `DELETE /v1/policies/{id}` (drafts only). */
export function registerPolicyLifecycle(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post(
    '/v1/policies/:id/publish',
    {
      schema: {
        tags: ['policies'],
        summary: 'Publish a policy version (it starts running)',
        params: idParams,
        body: publishBody,
        response: { 200: policySchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      publishPolicy(
        ctx.db,
        orgOf(request),
        actorOf(request),
        uuidOr404(request.params.id, 'policy'),
        request.body?.version,
      ),
  );
  typed.post(
    '/v1/policies/:id/disable',
    {
      schema: {
        tags: ['policies'],
        summary: 'Disable a policy (kept, not running)',
        params: idParams,
        response: { 200: policySchema, ...commonErrors, 409: errorSchema },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      disablePolicy(ctx.db, orgOf(request), actorOf(request), uuidOr404(request.params.id, 'policy')),
  );
  typed.delete(
    '/v1/policies/:id',
    {
      schema: {
        tags: ['policies'],
        summary: 'Delete a never-published draft',
        params: idParams,
        response: { 204: z.null(), ...commonErrors, 409: errorSchema },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await deletePolicy(ctx.db, orgOf(request), actorOf(request), uuidOr404(request.params.id, 'policy'));
      return reply.status(204).send(null);
    },
  );
}

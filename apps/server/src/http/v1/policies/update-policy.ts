import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { policyPatchSchema } from '../../../policies/schema.js';
import { updatePolicy } from '../../../policies/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { idParams, policySchema, uuidOr404 } from './shared.js';

/** `PATCH /v1/policies/{id}`: an edit is a new version; the published one runs until republished. */
export function registerUpdatePolicy(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().patch(
    '/v1/policies/:id',
    {
      schema: {
        tags: ['policies'],
        summary: 'Edit a policy (new version)',
        params: idParams,
        body: policyPatchSchema,
        response: { 200: policySchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      updatePolicy(
        ctx.db,
        orgOf(request),
        actorOf(request),
        uuidOr404(request.params.id, 'policy'),
        request.body,
      ),
  );
}

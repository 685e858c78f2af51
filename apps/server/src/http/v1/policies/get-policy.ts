import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getPolicy, listPolicyVersions } from '../../../policies/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { idParams, policySchema, policyVersionSchema, uuidOr404 } from './shared.js';

/** `GET /v1/policies/{id}` and `GET /v1/policies/{id}/versions` (every version, newest first). */
export function registerGetPolicy(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/policies/:id',
    {
      schema: {
        tags: ['policies'],
        summary: 'Get a policy',
        params: idParams,
        response: { 200: policySchema, ...commonErrors },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => getPolicy(ctx.db, orgOf(request), uuidOr404(request.params.id, 'policy')),
  );
  typed.get(
    '/v1/policies/:id/versions',
    {
      schema: {
        tags: ['policies'],
        summary: 'List a policy’s versions',
        params: idParams,
        response: { 200: z.object({ data: z.array(policyVersionSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({
      data: await listPolicyVersions(ctx.db, orgOf(request), uuidOr404(request.params.id, 'policy')),
    }),
  );
}

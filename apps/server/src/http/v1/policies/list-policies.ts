import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { listPolicies } from '../../../policies/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { policySchema } from './shared.js';

const query = z
  .object({
    status: z.enum(['draft', 'published', 'disabled']).optional(),
    trigger: z
      .enum(['budget_exceeded', 'ip_risk', 'unusual_usage', 'department_threshold', 'shadow_ai_gap'])
      .optional(),
  })
  .strict();

/** `GET /v1/policies`: every policy with its current version. */
export function registerListPolicies(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'List policies',
        querystring: query,
        response: { 200: z.object({ data: z.array(policySchema) }), ...commonErrors },
      },
      config: { auth: auth.can('audit:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listPolicies(ctx.db, orgOf(request), request.query) }),
  );
}

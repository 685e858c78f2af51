import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import { getExemption } from '../../../budgets/exemptions.js';
import type { AppContext } from '../../../context.js';
import { requestScope } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { exemptionParamsSchema, exemptionSchema, toExemptionJson } from './exemption-schema.js';

/** `GET /v1/exemptions/{id}`. */
export function registerGetExemption(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/exemptions/:id',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Get an exemption request',
        params: exemptionParamsSchema,
        response: { 200: exemptionSchema, ...commonErrors },
      },
      config: { auth: auth.can('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => toExemptionJson(await getExemption(ctx, requestScope(request), request.params.id)),
  );
}

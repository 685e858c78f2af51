import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { listExemptions } from '../../../budgets/exemptions.js';
import type { AppContext } from '../../../context.js';
import { requestScope } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';
import { exemptionSchema, periodSchema, toExemptionJson } from './exemption-schema.js';

const querySchema = z.object({
  status: z.enum(['requested', 'approved', 'rejected']).optional(),
  period: periodSchema.optional(),
  user_id: idSchema.optional(),
  budget_id: idSchema.optional(),
});

/** `GET /v1/exemptions`: newest first, filterable by status, period, user and budget. */
export function registerListExemptions(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/exemptions',
    {
      schema: {
        tags: ['budgets'],
        summary: 'List exemption requests',
        querystring: querySchema,
        response: { 200: z.object({ data: z.array(exemptionSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({
      data: (await listExemptions(ctx, requestScope(request), request.query)).map(toExemptionJson),
    }),
  );
}

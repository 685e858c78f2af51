import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { requestExemption } from '../../../budgets/exemptions.js';
import type { AppContext } from '../../../context.js';
import { orgOf, principalOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';
import { exemptionSchema, periodSchema, toExemptionJson } from './exemption-schema.js';

const bodySchema = z
  .object({
    user_id: idSchema,
    budget_id: idSchema,
    period: periodSchema.optional().describe('YYYY-MM; default: the current period'),
    raise_tokens: z
      .number()
      .int()
      .positive()
      .max(1e15)
      .optional()
      .describe('raise the cap by this many tokens'),
    lift: z.literal(true).optional().describe('lift the cap entirely'),
    justification: z.string().max(2000).optional(),
  })
  .strict()
  .refine((b) => (b.raise_tokens === undefined) !== (b.lift === undefined), {
    message: 'give exactly one of raise_tokens or lift: true',
  });

/** `POST /v1/exemptions`: the user, their manager or an admin asks for a raise or lift (audited). */
export function registerCreateExemption(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/exemptions',
    {
      schema: {
        tags: ['budgets'],
        summary: 'Request a budget exemption',
        body: bodySchema,
        response: { 201: exemptionSchema, ...commonErrors },
      },
      config: { auth: auth.signedIn() },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const row = await requestExemption(ctx, orgOf(request), principalOf(request), request.body);
      return reply.status(201).send(toExemptionJson(row));
    },
  );
}

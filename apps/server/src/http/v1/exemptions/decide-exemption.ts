import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { decideExemption } from '../../../budgets/exemptions.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, errorSchema } from '../responses.js';
import { exemptionParamsSchema, exemptionSchema, toExemptionJson } from './exemption-schema.js';

// No body at all is fine: Fastify hands the validator null then.
const bodySchema = z
  .object({ note: z.string().max(2000).optional() })
  .strict()
  .nullish();

/** `POST /v1/exemptions/{id}/approve` and `/reject` (admin; audited; a decided request is a 409). */
export function registerDecideExemption(app: FastifyInstance, ctx: AppContext): void {
  for (const [verb, status] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    app.withTypeProvider<ZodTypeProvider>().post(
      `/v1/exemptions/:id/${verb}`,
      {
        schema: {
          tags: ['budgets'],
          summary: `${verb === 'approve' ? 'Approve' : 'Reject'} an exemption request`,
          params: exemptionParamsSchema,
          body: bodySchema,
          response: { 200: exemptionSchema, ...commonErrors, 409: errorSchema },
        },
        config: { auth: auth.can('settings:manage') },
        onRequest: rateLimitByApiKey(ctx),
      },
      async (request) =>
        toExemptionJson(
          await decideExemption(
            ctx,
            orgOf(request),
            actorOf(request),
            request.params.id,
            status,
            request.body?.note,
          ),
        ),
    );
  }
}

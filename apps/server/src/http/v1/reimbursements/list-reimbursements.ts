import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getReimbursement, listReimbursements } from '../../../reimbursements/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';
import { deciderOf, periodSchema, reimbursementSchema } from './shared.js';

/** `GET /v1/reimbursements?scope=mine|approvals|all` and `GET /v1/reimbursements/{id}`. */
export function registerListReimbursements(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/reimbursements',
    {
      schema: {
        tags: ['reimbursements'],
        summary: 'Reimbursement requests: mine, waiting on me (approvals), or all (admins)',
        querystring: z.object({
          scope: z.enum(['mine', 'approvals', 'all']).default('mine'),
          status: z.enum(['submitted', 'approved', 'rejected']).optional(),
          period: periodSchema.optional(),
        }),
        response: { 200: z.object({ data: z.array(reimbursementSchema) }), ...commonErrors },
      },
      config: { auth: auth.signedIn() },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({
      data: await listReimbursements(ctx, orgOf(request), deciderOf(request), request.query),
    }),
  );
  typed.get(
    '/v1/reimbursements/:id',
    {
      schema: {
        tags: ['reimbursements'],
        summary: 'A reimbursement request',
        params: idParams,
        response: { 200: reimbursementSchema, ...commonErrors },
      },
      config: { auth: auth.signedIn() },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      getReimbursement(
        ctx,
        orgOf(request),
        deciderOf(request),
        uuidOr404(request.params.id, 'reimbursement request'),
      ),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { decideReimbursement } from '../../../reimbursements/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';
import { deciderOf, reimbursementSchema } from './shared.js';

/** `POST /v1/reimbursements/{id}/approve|reject` (the approver or an admin; Reimbursements → Approvals). */
export function registerDecideReimbursement(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const [verb, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    typed.post(
      `/v1/reimbursements/:id/${verb}`,
      {
        schema: {
          tags: ['reimbursements'],
          summary: `${verb === 'approve' ? 'Approve' : 'Reject'} a reimbursement request`,
          params: idParams,
          body: z
            .object({ note: z.string().max(2000).optional() })
            .strict()
            .nullish(),
          response: { 200: reimbursementSchema, ...commonErrors },
        },
        config: { auth: auth.signedIn() },
        onRequest: rateLimitByApiKey(ctx),
      },
      async (request) =>
        decideReimbursement(
          ctx,
          orgOf(request),
          deciderOf(request),
          uuidOr404(request.params.id, 'reimbursement request'),
          decision,
          request.body?.note,
        ),
    );
  }
}

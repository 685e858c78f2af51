import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { submitReimbursement } from '../../../reimbursements/service.js';
import { orgOf, principalOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { periodSchema, reimbursementSchema } from './shared.js';

export const submitBody = z
  .object({
    amount: z.number().positive().max(1_000_000).multipleOf(0.01),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'is not an ISO 4217 code')
      .default('USD'),
    period: periodSchema,
    note: z.string().max(2000).optional(),
  })
  .strict();

/** `POST /v1/reimbursements`: the signed-in employee asks for personal-usage reimbursement. */
export function registerSubmitReimbursement(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/reimbursements',
    {
      schema: {
        tags: ['reimbursements'],
        summary: 'Submit a reimbursement request (as the signed-in user)',
        body: submitBody,
        response: { 201: reimbursementSchema, ...commonErrors },
      },
      config: { auth: auth.signedIn() },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const userId = principalOf(request).userId;
      if (!userId)
        throw new AppError(
          'forbidden',
          'reimbursement requests are submitted by a signed-in user, not an API key',
        );
      return reply.status(201).send(await submitReimbursement(ctx, orgOf(request), userId, request.body));
    },
  );
}

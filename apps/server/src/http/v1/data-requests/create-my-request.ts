import { AppError } from '@toktra/core';
import { DATA_REQUEST_KINDS, DATA_REQUEST_REGIMES } from '@toktra/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createDataRequest } from '../../../data-requests/service.js';
import { principalOf } from '../../auth.js';
import { commonErrors, errorSchema } from '../responses.js';
import { DataRequest } from './schema.js';

const bodySchema = z
  .object({
    kind: z.enum(DATA_REQUEST_KINDS).describe('access: a copy of everything about you; erasure: delete it'),
    regime: z.enum(DATA_REQUEST_REGIMES).describe('the law you invoke: GDPR (30 days) or CCPA (45 days)'),
  })
  .strict();

/** `POST /v1/me/data-requests`: the signed-in employee asks for access to or erasure of their data. */
export function registerCreateMyRequest(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/me/data-requests',
    {
      schema: {
        tags: ['data-requests'],
        summary: 'Submit a data subject request (access or erasure)',
        body: bodySchema,
        response: {
          201: DataRequest,
          409: errorSchema.describe('an open request of this kind exists'),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!principal.userId)
        throw new AppError('bad_request', 'an API key is not a person; sign in to the portal');
      const view = await createDataRequest(ctx, principal.orgId, principal.userId, request.body);
      return reply.code(201).send(view);
    },
  );
}

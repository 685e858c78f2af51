import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { policyContentSchema } from '../../../policies/schema.js';
import { createPolicy } from '../../../policies/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { policySchema } from './shared.js';

/** `POST /v1/policies`: a new policy, as a draft (version 1); publish it to make it run. */
export function registerCreatePolicy(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'Create a policy (draft)',
        body: policyContentSchema,
        response: { 201: policySchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) =>
      reply.status(201).send(await createPolicy(ctx.db, orgOf(request), actorOf(request), request.body)),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { deleteDepartment } from '../../../budgets/department-edits.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';

/** `DELETE /v1/departments/{id}`: children and members move up to its parent; its budget is deleted (audited). */
export function registerDeleteDepartment(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().delete(
    '/v1/departments/:id',
    {
      schema: {
        tags: ['departments'],
        summary: 'Delete a department',
        params: z.object({ id: idSchema }),
        response: { 204: z.null().describe('deleted'), ...commonErrors },
      },
      config: { auth: auth.can('departments:write') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await deleteDepartment(ctx, orgOf(request), actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}

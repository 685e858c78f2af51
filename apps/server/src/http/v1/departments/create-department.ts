import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createDepartment } from '../../../departments/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, errorSchema, idSchema } from '../responses.js';
import { departmentSchema, toDepartmentJson } from './department-schema.js';

const bodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  parent_id: idSchema.nullish().describe('the parent department; omit for a top-level department'),
});

/** `POST /v1/departments`: creates a department (audited); a foreign parent_id is a 404. */
export function registerCreateDepartment(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/departments',
    {
      schema: {
        tags: ['departments'],
        summary: 'Create a department',
        body: bodySchema,
        response: { 201: departmentSchema, ...commonErrors, 409: errorSchema },
      },
      config: { auth: auth.can('departments:write') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const created = await createDepartment(ctx.db, orgOf(request), actorOf(request), {
        name: request.body.name,
        parentId: request.body.parent_id ?? null,
      });
      // The live tree and preflight read a per-org snapshot; a new department must appear at once.
      ctx.preflight.invalidate(orgOf(request));
      return reply.status(201).send(toDepartmentJson(created));
    },
  );
}

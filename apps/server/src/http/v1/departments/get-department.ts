import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getDepartment } from '../../../departments/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';
import { departmentSchema, toDepartmentJson } from './department-schema.js';

/** `GET /v1/departments/{id}`. */
export function registerGetDepartment(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/departments/:id',
    {
      schema: {
        tags: ['departments'],
        summary: 'Get a department',
        params: z.object({ id: idSchema }),
        response: { 200: departmentSchema, ...commonErrors },
      },
      config: { auth: auth.can('departments:read') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => toDepartmentJson(await getDepartment(ctx.db, orgOf(request), request.params.id)),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import { updateDepartment } from '../../../budgets/department-edits.js';
import type { AppContext } from '../../../context.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';

const bodySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    parent_id: idSchema.nullable().optional().describe('the new parent; null moves it to the top level'),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.parent_id !== undefined, {
    message: 'give name and/or parent_id',
  });

const departmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  parent_id: z.string().nullable(),
  created_at: z.string(),
});

/** `PATCH /v1/departments/{id}`: rename and/or move (a move into its own subtree is a 400; audited). */
export function registerUpdateDepartment(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().patch(
    '/v1/departments/:id',
    {
      schema: {
        tags: ['departments'],
        summary: 'Rename or move a department',
        params: z.object({ id: idSchema }),
        body: bodySchema,
        response: { 200: departmentSchema, ...commonErrors },
      },
      config: { auth: auth.can('departments:write') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => {
      const row = await updateDepartment(
        ctx,
        orgOf(request),
        actorOf(request),
        request.params.id,
        request.body,
      );
      return { ...row, created_at: row.created_at.toISOString() };
    },
  );
}

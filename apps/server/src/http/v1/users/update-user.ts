import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { updateUser } from '../../../users/update-user.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, idSchema } from '../responses.js';
import { toUserJson, userSchema } from './user-schema.js';

export const updateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    department_id: idSchema.nullable().describe('move the user; null = no department'),
    manager_id: idSchema.nullable().describe('the user’s manager; null = none'),
    role: z.enum(['admin', 'manager', 'employee', 'auditor']).describe('the owner’s role cannot change'),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

/** `PATCH /v1/users/{id}`: rename, move to a department, change manager or role (audited). */
export function registerUpdateUser(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().patch(
    '/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Edit a user',
        params: z.object({ id: z.string().min(1).max(100) }),
        body: updateUserBody,
        response: { 200: userSchema, ...commonErrors },
      },
      config: { auth: auth.can('users:write') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      toUserJson(
        await updateUser(ctx.db, orgOf(request), actorOf(request), request.params.id, {
          name: request.body.name,
          departmentId: request.body.department_id,
          managerId: request.body.manager_id,
          role: request.body.role,
        }),
      ),
  );
}

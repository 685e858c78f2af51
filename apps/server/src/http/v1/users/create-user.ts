import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createUser } from '../../../users/service.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors, errorSchema, idSchema } from '../responses.js';
import { toUserJson, userSchema } from './user-schema.js';

const bodySchema = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  department_id: idSchema.nullish(),
  manager_id: idSchema.nullish(),
  // `owner` is given at org creation only, never through an API key.
  role: z.enum(['admin', 'manager', 'employee', 'auditor']).optional(),
});

/** `POST /v1/users`: creates a user (audited); a foreign department or manager id is a 404. */
export function registerCreateUser(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: bodySchema,
        response: {
          201: userSchema,
          ...commonErrors,
          409: errorSchema.describe('conflict: the email is taken'),
        },
      },
      config: { auth: auth.apiKey('write') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      const actor = { type: 'api_key', id: request.apiKey?.keyId ?? null } as const;
      const { email, name, department_id, manager_id, role } = request.body;
      const created = await createUser(ctx.db, orgOf(request), actor, {
        email,
        name,
        departmentId: department_id ?? null,
        managerId: manager_id ?? null,
        ...(role ? { role } : {}),
      });
      return reply.status(201).send(toUserJson(created));
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getMyPerks } from '../../../perks/enrollments.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { allowanceSchema, employeeOf, enrollmentSchema } from './shared.js';

/** `GET /v1/me/perks`: my enrollment (public key, wrapped private key) and this month's allowance. */
export function registerGetMyPerks(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me/perks',
    {
      schema: {
        tags: ['perks'],
        summary: 'My Token Perks enrollment and allowance (signed-in employee only)',
        response: {
          200: z.object({ enrollment: enrollmentSchema.nullable(), allowance: allowanceSchema.nullable() }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('portal:view') },
    },
    async (request) => getMyPerks(ctx, orgOf(request), employeeOf(request)),
  );
}

import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../../auth/permissions.js';
import { auth } from '../../../auth/route-auth.js';
import { requestExemption } from '../../../budgets/exemptions.js';
import type { AppContext } from '../../../context.js';
import { exemptionSchema, toExemptionJson } from '../exemptions/exemption-schema.js';
import { commonErrors } from '../responses.js';
import { browserOf } from './extension-auth.js';

const bodySchema = z
  .object({
    budget_id: z.uuid().describe('the budget that blocks (the preflight answer names it)'),
    justification: z.string().trim().max(2000).optional(),
  })
  .strict();

/**
 * `POST /v1/extension/exemptions`: from the blocked page, the browser's user asks an admin to lift
 * the cap for the current period. Same audited path as `POST /v1/exemptions`, for themselves only.
 */
export function registerExtensionExemption(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/extension/exemptions',
    {
      schema: {
        tags: ['extension'],
        summary: 'Request an exemption for the browser user',
        body: bodySchema,
        response: { 201: exemptionSchema, ...commonErrors },
      },
      config: { auth: auth.extension() },
    },
    async (request, reply) => {
      const who = browserOf(request);
      const user = await ctx.db.withTenant(who.orgId, ({ db }) =>
        db
          .selectFrom('users')
          .select('role')
          .where('org_id', '=', who.orgId)
          .where('id', '=', who.userId)
          .executeTakeFirst(),
      );
      if (!user) throw new AppError('unauthorized', 'the user of this browser no longer exists');
      // The browser acts as its user, but only ever for that user (no role-based reach).
      const principal: Principal = {
        orgId: who.orgId,
        kind: 'user',
        userId: who.userId,
        role: 'employee',
        scopes: [],
      };
      const row = await requestExemption(ctx, who.orgId, principal, {
        user_id: who.userId,
        budget_id: request.body.budget_id,
        lift: true,
        justification: request.body.justification,
      });
      return reply.status(201).send(toExemptionJson(row));
    },
  );
}

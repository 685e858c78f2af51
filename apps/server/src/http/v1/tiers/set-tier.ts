import { AppError, isUuid } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { setTierOverride } from '../../../efficiency/tiers.js';
import { actorOf, orgOf } from '../../auth.js';
import { tierSchema } from '../performance/schemas.js';
import { commonErrors, idSchema } from '../responses.js';

const params = z.object({ user_id: idSchema });

function userIdOf(raw: string): string {
  if (!isUuid(raw)) throw new AppError('not_found', `user ${raw} not found`);
  return raw;
}

/** `PUT /v1/tiers/{user_id}` sets a manual tier override; `DELETE` returns the person to their score's tier. */
export function registerSetTier(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.put(
    '/v1/tiers/:user_id',
    {
      schema: {
        tags: ['tiers'],
        summary: 'Override a model access tier (audited)',
        params,
        body: z.object({ tier: tierSchema, reason: z.string().max(500).optional() }).strict(),
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request, reply) => {
      await setTierOverride(ctx, orgOf(request), actorOf(request), userIdOf(request.params.user_id), {
        tier: request.body.tier,
        reason: request.body.reason,
      });
      return reply.code(204).send(null);
    },
  );
  typed.delete(
    '/v1/tiers/:user_id',
    {
      schema: {
        tags: ['tiers'],
        summary: 'Remove a tier override (audited)',
        params,
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
    },
    async (request, reply) => {
      await setTierOverride(ctx, orgOf(request), actorOf(request), userIdOf(request.params.user_id), {
        tier: null,
      });
      return reply.code(204).send(null);
    },
  );
}

import { MODEL_TIER_RULES, TIER_THRESHOLDS } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { scoreUsers } from '../../../efficiency/service.js';
import { requestScope } from '../../auth.js';
import { tierSchema } from '../performance/schemas.js';
import { commonErrors } from '../responses.js';

/** `GET /v1/tiers`: every person's effective tier and why; plus the model → tier map. */
export function registerListTiers(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/tiers',
    {
      schema: {
        tags: ['tiers'],
        summary: 'Model access tiers',
        response: {
          200: z.object({
            thresholds: z.object({ premium: z.number(), advanced: z.number() }),
            model_rules: z
              .array(z.object({ pattern: z.string(), tier: tierSchema }))
              .describe('first match on the lowercased model name wins; no match = standard'),
            users: z.array(
              z.object({
                user_id: z.string(),
                name: z.string(),
                score: z.number().nullable(),
                tier: tierSchema,
                tier_source: z.enum(['score', 'override']),
              }),
            ),
          }),
          ...commonErrors,
        },
      },
      config: { auth: auth.can('users:read') },
    },
    async (request) => {
      const set = await scoreUsers(ctx, requestScope(request), {});
      return {
        thresholds: { ...TIER_THRESHOLDS },
        model_rules: MODEL_TIER_RULES.map((r) => ({ pattern: r.pattern.source, tier: r.tier })),
        users: set.users.map((u) => ({
          user_id: u.user_id,
          name: u.name,
          score: u.score,
          tier: u.tier,
          tier_source: u.tier_source,
        })),
      };
    },
  );
}

import { MODEL_TIER_RULES, MODEL_TIERS } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getUserTier } from '../../../efficiency/tiers.js';
import { preflight } from '../../../preflight/service.js';
import { getOwnPrivacy } from '../../../privacy/service.js';
import { commonErrors } from '../responses.js';
import { browserOf } from './extension-auth.js';

/** How long the extension may trust an answer before it asks again (it refreshes in the background). */
export const EXTENSION_PREFLIGHT_TTL_SECONDS = 10;

const answerSchema = z.object({
  allow: z.boolean(),
  code: z.enum(['ok', 'soft_cap', 'no_budget', 'hard_cap', 'blocked']),
  reason: z.string(),
  remaining_tokens: z.number().nullable(),
  budget_id: z.string().nullable().describe('the budget whose hard cap blocks; an exemption names it'),
  period: z.string(),
  tier: z.enum(['standard', 'advanced', 'premium']),
  model_rules: z
    .array(z.object({ pattern: z.string(), allowed: z.boolean() }))
    .describe(
      "the tier rules in order (first match on the model wins), each allowed or not for this user's tier",
    ),
  ttl_seconds: z.number().int(),
  exemption_url: z.string().describe('where the user asks for an exemption in the Toktra portal'),
  privacy: z
    .object({
      time_zone: z.string(),
      windows: z.array(
        z.object({ days: z.array(z.number()).optional(), start: z.string(), end: z.string() }),
      ),
      paused_until: z.string().nullable(),
      paused_indefinitely: z.boolean(),
    })
    .describe("the user's own Privacy Hours: the extension captures nothing while they are in force"),
});

/**
 * `GET /v1/extension/preflight`: the browser's cached answer — may its user send LLM requests now,
 * and which models their tier allows. Served from the in-memory preflight state; reserves nothing
 * (it is a standing answer, not one request).
 */
export function registerExtensionPreflight(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/extension/preflight',
    {
      schema: {
        tags: ['extension'],
        summary: "The browser user's preflight answer and model rules",
        response: { 200: answerSchema, ...commonErrors },
      },
      config: { auth: auth.extension() },
    },
    async (request) => {
      const who = browserOf(request);
      const answer = await preflight(ctx, who.orgId, { user_id: who.userId, estimated_tokens: 0 });
      const [tier, privacy] = await Promise.all([
        getUserTier(ctx, who.orgId, who.userId),
        getOwnPrivacy(ctx.db, who.orgId, who.userId),
      ]);
      const publicUrl = ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
      return {
        allow: answer.allow,
        code: answer.code,
        reason: answer.reason,
        remaining_tokens: answer.remaining_tokens,
        budget_id: answer.budget_id,
        period: answer.period,
        tier,
        model_rules: MODEL_TIER_RULES.map((r) => ({
          pattern: r.pattern.source,
          allowed: MODEL_TIERS.indexOf(r.tier) <= MODEL_TIERS.indexOf(tier),
        })),
        ttl_seconds: EXTENSION_PREFLIGHT_TTL_SECONDS,
        exemption_url: `${publicUrl}/portal#exemptions`,
        privacy: {
          time_zone: privacy.time_zone,
          windows: privacy.windows,
          paused_until: privacy.paused_until,
          paused_indefinitely: privacy.paused_indefinitely,
        },
      };
    },
  );
}

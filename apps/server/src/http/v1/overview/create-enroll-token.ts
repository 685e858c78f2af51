import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { createEnrollToken } from '../../../enrollment/tokens.js';
import { principalOf } from '../../auth.js';

const Body = z.object({
  max_uses: z.number().int().min(1).max(10_000).default(1),
  ttl_hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  owner_user_id: z.uuid().optional(),
});

/**
 * `POST /v1/overview/enroll-tokens`: the Devices page's "Enroll devices" button (the same
 * service as `toktra admin enroll-token`). The token is returned once.
 */
export function registerCreateEnrollToken(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/overview/enroll-tokens',
    {
      schema: {
        tags: ['devices'],
        summary: 'Create an enrollment token',
        body: Body,
        response: { 201: z.object({ id: z.string(), token: z.string(), expires_at: z.string() }) },
      },
      config: { auth: auth.can('enroll_tokens:create') },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const actor =
        principal.kind === 'user'
          ? { type: 'user' as const, id: principal.userId ?? null }
          : { type: 'api_key' as const, id: principal.keyId ?? null };
      const created = await createEnrollToken(ctx.db, principal.orgId, actor, {
        maxUses: request.body.max_uses,
        ttlMs: request.body.ttl_hours * 3_600_000,
        ownerUserId: request.body.owner_user_id,
      });
      return reply
        .status(201)
        .send({ id: created.id, token: created.token, expires_at: created.expiresAt.toISOString() });
    },
  );
}

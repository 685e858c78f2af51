import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { resume } from '../../../privacy/service.js';
import { OwnPrivacy, ownerOf, SESSION_ONLY, TAGS } from './privacy-schema.js';

/** `DELETE /v1/me/privacy/pause`: end my pause (scheduled windows still apply). */
export function registerResumePrivacy(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().delete(
    '/v1/me/privacy/pause',
    {
      schema: {
        tags: TAGS,
        description: SESSION_ONLY,
        summary: 'End my pause',
        response: { 200: OwnPrivacy },
      },
      config: { auth: auth.session() },
    },
    async (request) => {
      const { orgId, userId } = ownerOf(request);
      return resume(ctx.db, orgId, userId);
    },
  );
}

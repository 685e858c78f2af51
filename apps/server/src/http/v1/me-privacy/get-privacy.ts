import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getOwnPrivacy } from '../../../privacy/service.js';
import { OwnPrivacy, ownerOf, SESSION_ONLY, TAGS } from './privacy-schema.js';

/** `GET /v1/me/privacy`: my Privacy Hours schedule, pause and whether they are in force now. */
export function registerGetPrivacy(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me/privacy',
    {
      schema: {
        tags: TAGS,
        description: SESSION_ONLY,
        summary: 'My Privacy Hours (signed-in employee only)',
        response: { 200: OwnPrivacy },
      },
      config: { auth: auth.session() },
    },
    async (request) => {
      const { orgId, userId } = ownerOf(request);
      return getOwnPrivacy(ctx.db, orgId, userId);
    },
  );
}

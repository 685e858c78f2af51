import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { MAX_PAUSE_MINUTES, pause } from '../../../privacy/service.js';
import { OwnPrivacy, ownerOf, SESSION_ONLY, TAGS } from './privacy-schema.js';

const Body = z.object({
  /** Omitted: until I resume. */
  minutes: z.number().int().min(1).max(MAX_PAUSE_MINUTES).optional(),
});

/** `POST /v1/me/privacy/pause`: pause monitoring now, for a while or until I resume. */
export function registerPausePrivacy(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/me/privacy/pause',
    {
      schema: {
        tags: TAGS,
        description: SESSION_ONLY,
        summary: 'Pause monitoring of me now',
        body: Body,
        response: { 200: OwnPrivacy },
      },
      config: { auth: auth.session() },
    },
    async (request) => {
      const { orgId, userId } = ownerOf(request);
      return pause(ctx.db, orgId, userId, request.body.minutes);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { saveSchedule } from '../../../privacy/service.js';
import { OwnPrivacy, ownerOf, PrivacyWindow, SESSION_ONLY, TAGS } from './privacy-schema.js';

const Body = z.object({
  time_zone: z.string().min(1).max(64),
  windows: z.array(PrivacyWindow).max(50),
});

/** `PUT /v1/me/privacy/schedule`: replaces my weekly windows (a pause, if any, stays). */
export function registerPutPrivacySchedule(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().put(
    '/v1/me/privacy/schedule',
    {
      schema: {
        tags: TAGS,
        description: SESSION_ONLY,
        summary: 'Set my Privacy Hours windows',
        body: Body,
        response: { 200: OwnPrivacy },
      },
      config: { auth: auth.session() },
    },
    async (request) => {
      const { orgId, userId } = ownerOf(request);
      return saveSchedule(ctx.db, orgId, userId, {
        timeZone: request.body.time_zone,
        windows: request.body.windows,
      });
    },
  );
}

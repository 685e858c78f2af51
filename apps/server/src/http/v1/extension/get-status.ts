import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { getBrowser } from '../../../extension/browsers.js';
import { getUser } from '../../../users/service.js';
import { commonErrors } from '../responses.js';
import { browserOf } from './extension-auth.js';

/** `GET /v1/extension/me`: who this browser is enrolled for, for the options page. */
export function registerGetExtensionStatus(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/extension/me',
    {
      schema: {
        tags: ['extension'],
        summary: "The enrolled browser's user and sync state",
        response: {
          200: z.object({
            browser_id: z.string(),
            org_id: z.string(),
            user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
            enrolled_via: z.enum(['sign_in', 'managed_policy']),
            last_sync_at: z.string().nullable(),
          }),
          ...commonErrors,
        },
      },
      config: { auth: auth.extension() },
    },
    async (request) => {
      const who = browserOf(request);
      const [browser, user] = await Promise.all([
        getBrowser(ctx.db, who.orgId, who.browserId),
        getUser(ctx.db, who.orgId, who.userId),
      ]);
      return {
        browser_id: who.browserId,
        org_id: who.orgId,
        user: { id: user.id, email: user.email, name: user.name },
        enrolled_via: browser.enrolled_via,
        last_sync_at: browser.last_sync_at,
      };
    },
  );
}

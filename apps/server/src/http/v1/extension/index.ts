import type { FastifyInstance } from 'fastify';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { registerExtensionEvents } from './create-events.js';
import { registerEnrollExtension } from './enroll.js';
import { installExtensionCors } from './extension-auth.js';
import { registerExtensionPreflight } from './extension-preflight.js';
import { registerGetExtensionStatus } from './get-status.js';
import { registerListBrowsers } from './list-browsers.js';
import { registerExtensionExemption } from './request-exemption.js';
import { registerRevokeBrowser } from './revoke-browser.js';
import { registerExtensionSignOut } from './sign-out.js';

/** The browser extension's API (docs/extension.md) and the admin's list of enrolled browsers. */
export function registerExtensionRoutes(app: FastifyInstance, ctx: AppContext): void {
  installExtensionCors(app);
  // CORS preflights: answered by the hook for extension origins, 404 for anyone else.
  app.options(
    '/v1/extension/*',
    { schema: { hide: true }, config: { auth: auth.public('CORS preflight; carries no data') } },
    async (_request, reply) =>
      reply.code(404).send({
        error: { code: 'not_found', message: 'no such route' },
      }),
  );
  registerEnrollExtension(app, ctx);
  registerGetExtensionStatus(app, ctx);
  registerExtensionSignOut(app, ctx);
  registerExtensionPreflight(app, ctx);
  registerExtensionEvents(app, ctx);
  registerExtensionExemption(app, ctx);
  registerListBrowsers(app, ctx);
  registerRevokeBrowser(app, ctx);
}

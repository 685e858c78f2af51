import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerAlertChannelRoutes } from './alert-channels.js';
import { registerSlackInstall } from './install.js';
import { registerSlackInstallationRoutes } from './installations.js';

export function registerSlackApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerSlackInstall(app, ctx);
  registerSlackInstallationRoutes(app, ctx);
  registerAlertChannelRoutes(app, ctx);
}

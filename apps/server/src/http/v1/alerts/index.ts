import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerAlertItemRoutes } from './acknowledge-alert.js';
import { registerListAlerts } from './list-alerts.js';

export function registerAlertRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListAlerts(app, ctx);
  registerAlertItemRoutes(app, ctx);
}

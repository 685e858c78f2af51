import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerItsmConnectorRoutes } from './connectors.js';
import { registerItsmTicketRoutes } from './tickets.js';

export function registerItsmRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerItsmConnectorRoutes(app, ctx);
  registerItsmTicketRoutes(app, ctx);
}

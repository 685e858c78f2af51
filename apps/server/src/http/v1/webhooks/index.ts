import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerDeliveryRoutes } from './deliveries.js';
import { registerEndpointRoutes } from './endpoints.js';

export function registerWebhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerEndpointRoutes(app, ctx);
  registerDeliveryRoutes(app, ctx);
}

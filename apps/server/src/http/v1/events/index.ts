import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateEvents } from './create-events.js';

export function registerEventRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerCreateEvents(app, ctx);
}

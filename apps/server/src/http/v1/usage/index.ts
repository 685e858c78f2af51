import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGetUsage } from './get-usage.js';
import { registerStreamUsage } from './stream-usage.js';

export function registerUsageRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerGetUsage(app, ctx);
  registerStreamUsage(app, ctx);
}

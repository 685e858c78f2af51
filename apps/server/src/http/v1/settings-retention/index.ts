import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGetRetention } from './get-retention.js';
import { registerPutRetention } from './put-retention.js';

export function registerRetentionRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerGetRetention(app, ctx);
  registerPutRetention(app, ctx);
}

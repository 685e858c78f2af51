import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerPreflight } from './preflight.js';

export function registerPreflightRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerPreflight(app, ctx);
}

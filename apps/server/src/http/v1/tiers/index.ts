import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerListTiers } from './list-tiers.js';
import { registerSetTier } from './set-tier.js';

export function registerTierRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListTiers(app, ctx);
  registerSetTier(app, ctx);
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerDeletePrice } from './delete-price.js';
import { registerListPrices } from './list-prices.js';
import { registerSetPrice } from './set-price.js';

export function registerPriceRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListPrices(app, ctx);
  registerSetPrice(app, ctx);
  registerDeletePrice(app, ctx);
}

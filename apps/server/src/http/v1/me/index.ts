import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGetMe } from './get-me.js';
import { registerGetMyBudget } from './get-my-budget.js';
import { registerListMyDevices } from './list-my-devices.js';

export function registerMeRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerGetMe(app, ctx);
  registerListMyDevices(app, ctx);
  registerGetMyBudget(app, ctx);
}

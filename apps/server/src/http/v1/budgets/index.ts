import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerDepartmentTreeRoutes } from '../departments-tree/index.js';
import { registerExemptionRoutes } from '../exemptions/index.js';
import { registerPreflightRoutes } from '../preflight/index.js';
import { registerPriceRoutes } from '../prices/index.js';
import { registerCreateBudget } from './create-budget.js';
import { registerDeleteBudget } from './delete-budget.js';
import { registerGetBudget } from './get-budget.js';
import { registerListBudgets } from './list-budgets.js';
import { registerListRollovers } from './list-rollovers.js';
import { registerUpdateBudget } from './update-budget.js';

export function registerBudgetRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerCreateBudget(app, ctx);
  registerListBudgets(app, ctx);
  registerGetBudget(app, ctx);
  registerUpdateBudget(app, ctx);
  registerDeleteBudget(app, ctx);
  registerListRollovers(app, ctx);
}

/** Everything of the budgets feature: budgets, exemptions, prices, preflight, department tree. */
export function registerBudgetFeatureRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerBudgetRoutes(app, ctx);
  registerExemptionRoutes(app, ctx);
  registerPriceRoutes(app, ctx);
  registerPreflightRoutes(app, ctx);
  registerDepartmentTreeRoutes(app, ctx);
}

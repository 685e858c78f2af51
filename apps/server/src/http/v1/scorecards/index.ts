import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerListScorecards } from './list-scorecards.js';

export function registerScorecardRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListScorecards(app, ctx);
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGetLeaderboard } from './get-leaderboard.js';
import { registerListScores } from './list-scores.js';
import { registerListTeams } from './list-teams.js';

export function registerPerformanceRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListScores(app, ctx);
  registerListTeams(app, ctx);
  registerGetLeaderboard(app, ctx);
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGetForecast } from './get-forecast.js';

export function registerForecastRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerGetForecast(app, ctx);
}

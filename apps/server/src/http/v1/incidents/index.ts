import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateIncident } from './create-incident.js';
import { registerIncidentItemRoutes } from './incident-item.js';
import { registerListIncidents } from './list-incidents.js';

export function registerIncidentRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListIncidents(app, ctx);
  registerCreateIncident(app, ctx);
  registerIncidentItemRoutes(app, ctx);
}

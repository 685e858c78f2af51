import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGetCalibration } from '../calibration/get-calibration.js';
import { registerGetShadowAi } from '../shadow-ai/get-shadow-ai.js';
import { registerCreateConnection } from './create-connection.js';
import { registerDeleteConnection } from './delete-connection.js';
import { registerGetConnection } from './get-connection.js';
import { registerListConnections } from './list-connections.js';
import { registerSyncConnection } from './sync-connection.js';
import { registerTestConnection } from './test-connection.js';

/** Provider reconciliation's routes: connections, calibration and Shadow AI. */
export function registerReconciliationRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerCreateConnection(app, ctx);
  registerListConnections(app, ctx);
  registerGetConnection(app, ctx);
  registerDeleteConnection(app, ctx);
  registerTestConnection(app, ctx);
  registerSyncConnection(app, ctx);
  registerGetCalibration(app, ctx);
  registerGetShadowAi(app, ctx);
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateMyRequest } from './create-my-request.js';
import { registerDownloadExport } from './download-export.js';
import { registerDownloadMyExport } from './download-my-export.js';
import { registerExecuteErasure } from './execute-erasure.js';
import { registerFulfilAccess } from './fulfil-access.js';
import { registerGetRequest } from './get-request.js';
import { registerListMyRequests } from './list-my-requests.js';
import { registerListRequests } from './list-requests.js';

/** Data subject requests: the employee's own (`/v1/me/…`) and the admin queue. */
export function registerDataRequestRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerCreateMyRequest(app, ctx);
  registerListMyRequests(app, ctx);
  registerDownloadMyExport(app, ctx);
  registerListRequests(app, ctx);
  registerGetRequest(app, ctx);
  registerFulfilAccess(app, ctx);
  registerDownloadExport(app, ctx);
  registerExecuteErasure(app, ctx);
}

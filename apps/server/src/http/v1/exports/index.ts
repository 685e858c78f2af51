import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateExport } from './create-export.js';
import { registerDownloadExport } from './download-export.js';
import { registerGetExport } from './get-export.js';

export function registerExportRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerCreateExport(app, ctx);
  registerGetExport(app, ctx);
  registerDownloadExport(app, ctx);
}

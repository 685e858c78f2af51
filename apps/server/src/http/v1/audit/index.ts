import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerExportAudit } from './export-audit.js';
import { registerListAudit } from './list-audit.js';

export function registerAuditRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListAudit(app, ctx);
  registerExportAudit(app, ctx);
}

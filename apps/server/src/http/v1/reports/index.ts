import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateReport } from './create-report.js';
import { registerListReports } from './list-reports.js';
import { registerReportById } from './report-by-id.js';

export function registerReportRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerCreateReport(app, ctx);
  registerListReports(app, ctx);
  registerReportById(app, ctx);
}

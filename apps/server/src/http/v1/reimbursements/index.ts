import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerDecideReimbursement } from './decide-reimbursement.js';
import { registerListReimbursements } from './list-reimbursements.js';
import { registerPayrollExport } from './payroll-export.js';
import { registerSubmitReimbursement } from './submit-reimbursement.js';

export function registerReimbursementRoutes(app: FastifyInstance, ctx: AppContext): void {
  // The static path first so `payroll-export` is never taken for an id.
  registerPayrollExport(app, ctx);
  registerSubmitReimbursement(app, ctx);
  registerListReimbursements(app, ctx);
  registerDecideReimbursement(app, ctx);
}

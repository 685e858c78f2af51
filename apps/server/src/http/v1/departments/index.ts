import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateDepartment } from './create-department.js';
import { registerGetDepartment } from './get-department.js';
import { registerListDepartments } from './list-departments.js';

export function registerDepartmentRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListDepartments(app, ctx);
  registerGetDepartment(app, ctx);
  registerCreateDepartment(app, ctx);
}

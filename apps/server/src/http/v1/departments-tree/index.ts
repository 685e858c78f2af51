import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerDeleteDepartment } from './delete-department.js';
import { registerGetTree } from './get-tree.js';
import { registerUpdateDepartment } from './update-department.js';

export function registerDepartmentTreeRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerGetTree(app, ctx);
  registerUpdateDepartment(app, ctx);
  registerDeleteDepartment(app, ctx);
}

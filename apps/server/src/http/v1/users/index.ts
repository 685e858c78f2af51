import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateOsUserMapping } from './create-os-user-mapping.js';
import { registerCreateUser } from './create-user.js';
import { registerGetUser } from './get-user.js';
import { registerListOsUserMappings } from './list-os-user-mappings.js';
import { registerListUsers } from './list-users.js';
import { registerUpdateUser } from './update-user.js';

export function registerUserRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListUsers(app, ctx);
  registerGetUser(app, ctx);
  registerCreateUser(app, ctx);
  registerCreateOsUserMapping(app, ctx);
  registerUpdateUser(app, ctx);
  registerListOsUserMappings(app, ctx);
}

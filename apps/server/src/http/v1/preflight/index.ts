import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerBlockUser } from './block-user.js';
import { registerListBlocks } from './list-blocks.js';
import { registerPreflight } from './preflight.js';
import { registerUnblockUser } from './unblock-user.js';

export function registerPreflightRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerPreflight(app, ctx);
  registerListBlocks(app, ctx);
  registerBlockUser(app, ctx);
  registerUnblockUser(app, ctx);
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateEnrollToken } from './create-enroll-token.js';
import { registerGetDirectory } from './get-directory.js';
import { registerGetOverview } from './get-overview.js';
import { registerOverviewStream } from './stream.js';

/** The dashboard's own endpoints: Overview tiles, filter directory, enrollment tokens, live stream. */
export function registerOverviewRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerGetOverview(app, ctx);
  registerGetDirectory(app, ctx);
  registerCreateEnrollToken(app, ctx);
  registerOverviewStream(app, ctx);
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreateExemption } from './create-exemption.js';
import { registerDecideExemption } from './decide-exemption.js';
import { registerGetExemption } from './get-exemption.js';
import { registerListExemptions } from './list-exemptions.js';

export function registerExemptionRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerCreateExemption(app, ctx);
  registerDecideExemption(app, ctx);
  registerListExemptions(app, ctx);
  registerGetExemption(app, ctx);
}

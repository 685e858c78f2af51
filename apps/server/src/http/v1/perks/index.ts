import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerPerksAdmin } from './admin-summary.js';
import { registerEnrollment } from './enroll.js';
import { registerGetMyPerks } from './get-my-perks.js';
import { registerListMyEntries } from './list-my-entries.js';
import { registerRedeem } from './redeem.js';

/** Token Perks: the employee's own routes under /v1/me/perks, the admin's aggregates under /v1/perks. */
export function registerPerksRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerGetMyPerks(app, ctx);
  registerEnrollment(app, ctx);
  registerListMyEntries(app, ctx);
  registerRedeem(app, ctx);
  registerPerksAdmin(app, ctx);
}

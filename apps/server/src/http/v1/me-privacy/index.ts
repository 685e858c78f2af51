import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGetPrivacy } from './get-privacy.js';
import { registerPausePrivacy } from './pause-privacy.js';
import { registerPutPrivacySchedule } from './put-privacy-schedule.js';
import { registerResumePrivacy } from './resume-privacy.js';

/** The employee's own Privacy Hours: session-only, no admin or API-key path (see privacy-schema). */
export function registerMyPrivacyRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerGetPrivacy(app, ctx);
  registerPutPrivacySchedule(app, ctx);
  registerPausePrivacy(app, ctx);
  registerResumePrivacy(app, ctx);
}

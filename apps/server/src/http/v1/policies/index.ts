import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerCreatePolicy } from './create-policy.js';
import { registerGetPolicy } from './get-policy.js';
import { registerPolicyLifecycle } from './lifecycle.js';
import { registerListPolicies } from './list-policies.js';
import { registerTestPolicy } from './test-policy.js';
import { registerUpdatePolicy } from './update-policy.js';

export function registerPolicyRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerCreatePolicy(app, ctx);
  registerListPolicies(app, ctx);
  registerGetPolicy(app, ctx);
  registerUpdatePolicy(app, ctx);
  registerPolicyLifecycle(app, ctx);
  registerTestPolicy(app, ctx);
}

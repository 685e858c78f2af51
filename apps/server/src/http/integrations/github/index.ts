import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGithubManagement } from './manage.js';
import { registerGithubWebhookReceiver } from './receive-webhook.js';

export async function registerGithubRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await registerGithubWebhookReceiver(app, ctx);
  registerGithubManagement(app, ctx);
}

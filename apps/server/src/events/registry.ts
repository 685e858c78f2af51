import { alertOnWebhookDeath } from '../alerts/handlers.js';
import { webhooksOnAlert } from '../delivery/handlers.js';
import { slackOnAlert } from '../integrations/slack/handlers.js';
import {
  policiesOnBudget,
  policiesOnRisk,
  policiesOnShadowAi,
  policiesOnUsage,
} from '../policies/handlers.js';
import type { EventHandler } from './handlers.js';

/**
 * Every durable reaction to a domain event, in one list: what runs at least once (by the job
 * queued with the event) when something happens. Email goes out through the jobs these handlers'
 * actions queue; ITSM tickets are opened from alerts by hand. In-process reactions that only
 * keep this process current (preflight state, caches, SSE) are listeners: events/caches.ts.
 */
export const eventHandlers: readonly EventHandler[] = [
  policiesOnUsage,
  policiesOnBudget,
  policiesOnRisk,
  policiesOnShadowAi,
  webhooksOnAlert,
  slackOnAlert,
  alertOnWebhookDeath,
];

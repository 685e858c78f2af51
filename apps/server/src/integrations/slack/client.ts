import { WebClient } from '@slack/web-api';
import type { AppContext } from '../../context.js';

/**
 * A Web API client for one bot token, pointed at `SLACK_API_URL` (a loopback fake in tests).
 * It does not retry on its own: deliveries retry as jobs, and interactive paths answer fast.
 */
export function slackClient(ctx: Pick<AppContext, 'config'>, token?: string): WebClient {
  return new WebClient(token, {
    slackApiUrl: ctx.config.slack.apiUrl,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    rejectRateLimitedCalls: true,
  });
}

/** The message of a Web API failure (`users_not_found`, `channel_not_found`, HTTP errors). */
export function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: string } })?.data;
  if (data?.error) return data.error;
  return error instanceof Error ? error.message : String(error);
}

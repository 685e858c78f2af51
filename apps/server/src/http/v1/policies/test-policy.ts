import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { testPolicyAgainstHistory } from '../../../policies/history.js';
import { boundedInt } from '../../../validation.js';
import { orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { commonErrors } from '../responses.js';
import { idParams, uuidOr404 } from './shared.js';

const body = z
  .object({
    window_days: z.number().int().min(1).max(400).default(30),
    examples: z.number().int().min(0).max(100).default(10),
    version: boundedInt(1).optional().describe('default: the current (possibly unpublished) version'),
  })
  .strict();

const firedBy = z.object({ id: z.string(), name: z.string(), firings: z.number() });

const result = z.object({
  version: z.number(),
  window: z.object({ from: z.string(), to: z.string(), days: z.number() }),
  method: z
    .enum(['rollups', 'events', 'signals'])
    .describe(
      'rollups: decided day by day from the daily rollups (exact; every event counts); events: raw events replayed one by one (conditions read per-event fields); signals: stored risk events or governance signals',
    ),
  evaluated: z.number(),
  matched: z
    .number()
    .nullable()
    .describe('events (or signals) that matched; null when replayed from rollups'),
  unreplayed_events: z
    .number()
    .describe('events in the window with no raw row left to replay: would_fire is then a lower bound'),
  would_fire: z.number(),
  truncated: z.boolean(),
  fired_by: z
    .object({
      departments: z.array(firedBy),
      users: z.array(firedBy),
    })
    .describe('every firing counted by its department and by its user, most first'),
  examples: z.array(
    z.object({
      occurred_at: z.string(),
      ref: z.object({ kind: z.string(), id: z.string() }),
      dedupe_key: z.string(),
      subject: z.record(z.string(), z.unknown()),
      summary: z.string(),
    }),
  ),
});

/** `POST /v1/policies/{id}/test`: how often, and for whom, it would have fired in the last `window_days`. */
export function registerTestPolicy(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/policies/:id/test',
    {
      schema: {
        tags: ['policies'],
        summary: 'Test a policy against history',
        params: idParams,
        body,
        response: { 200: result, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      testPolicyAgainstHistory(ctx.db, orgOf(request), uuidOr404(request.params.id, 'policy'), {
        windowDays: request.body.window_days,
        examples: request.body.examples,
        ...(request.body.version ? { version: request.body.version } : {}),
      }),
  );
}

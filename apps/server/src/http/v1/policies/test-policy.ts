import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { testPolicyAgainstHistory } from '../../../policies/history.js';
import { boundedInt } from '../../../validation.js';
import { orgOf } from '../../auth.js';
import { commonErrors } from '../responses.js';
import { idParams, manageGovernance, uuidOr404 } from './shared.js';

const body = z
  .object({
    window_days: z.number().int().min(1).max(400).default(30),
    examples: z.number().int().min(0).max(100).default(10),
    version: boundedInt(1).optional().describe('default: the current (possibly unpublished) version'),
  })
  .strict();

const result = z.object({
  version: z.number(),
  window: z.object({ from: z.string(), to: z.string(), days: z.number() }),
  evaluated: z.number(),
  matched: z.number(),
  would_fire: z.number(),
  truncated: z.boolean(),
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

/** `POST /v1/policies/{id}/test`: how many events of the last `window_days` would have fired it. */
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
      onRequest: manageGovernance(ctx),
    },
    async (request) =>
      testPolicyAgainstHistory(ctx.db, orgOf(request), uuidOr404(request.params.id, 'policy'), {
        windowDays: request.body.window_days,
        examples: request.body.examples,
        ...(request.body.version ? { version: request.body.version } : {}),
      }),
  );
}

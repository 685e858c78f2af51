import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import { preflight } from '../../../preflight/service.js';
import { preflightAnswer, preflightBody } from './preflight.js';

/**
 * `POST /ingest/v1/preflight` on the mTLS ingest server: the same decision for agents (the proxy
 * mode) authenticated by their device certificate; the org comes from the certificate, never the body.
 */
export function registerDevicePreflight(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/ingest/v1/preflight',
    {
      schema: { body: preflightBody, response: { 200: preflightAnswer } },
      config: { auth: auth.device() },
    },
    async (request) => {
      if (!request.device) throw new AppError('unauthorized', 'a device certificate is required');
      return preflight(ctx, request.device.orgId, request.body);
    },
  );
}

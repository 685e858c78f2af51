import { hostname } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { AppError } from '@toktra/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { installRouteAuth } from '../auth/route-auth.js';
import type { AppContext } from '../context.js';
import { installErrorHandler } from '../http/error-handler.js';
import { registerDevicePreflight } from '../http/v1/preflight/device-preflight.js';
import { issueServerCertificate } from '../pki/certificates.js';
import { getRootAuthority } from '../pki/store.js';
import { authenticateDevice } from './client-auth.js';
import { acceptGzipBodies } from './gzip.js';
import { registerPerkIngestRoutes } from './perk-routes.js';
import { registerIngestPrivacyRoute } from './privacy-route.js';
import { IngestRefusal, refusalCounter } from './refusals.js';
import { registerIngestRoutes } from './routes.js';

export interface RunningIngestServer {
  readonly app: FastifyInstance;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** 5,000 events of a few hundred bytes each, inflated, with room to spare. */
const BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The agents' endpoint: HTTPS with a client certificate required, trusting only the Toktra root.
 * OpenSSL verifies the chain (root → org CA → device) during the handshake; we keep
 * `rejectUnauthorized: false` only so that a refused certificate reaches `authenticateDevice`,
 * which answers 401 with the precise reason, logs and counts it, and closes the connection.
 * No route runs for an unauthenticated client.
 */
export async function buildIngestApp(ctx: AppContext): Promise<FastifyInstance> {
  const root = await getRootAuthority(ctx);
  const hosts = ctx.config.publicHost ? [ctx.config.publicHost] : [];
  const tls = await issueServerCertificate(root, hosts);
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'ingest' }) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    https: {
      key: tls.keyPem,
      cert: tls.certPem,
      ca: [root.pem],
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  const refusals = refusalCounter(ctx);

  app.server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
    refusals.inc({ reason: 'tls_error' });
    app.log.warn(
      { reason: 'tls_error', code: error.code, remote: socket.remoteAddress },
      'ingest TLS handshake failed',
    );
  });

  app.addHook('onRequest', async (request, reply) => {
    try {
      request.device = await authenticateDevice(ctx, request.raw.socket as TLSSocket);
    } catch (error) {
      if (!(error instanceof IngestRefusal)) throw error;
      refusals.inc({ reason: error.reason });
      request.log.warn(
        { reason: error.reason, remote: request.raw.socket.remoteAddress },
        'ingest request refused',
      );
      reply.header('connection', 'close');
      return reply
        .status(401)
        .send({ error: { code: 'unauthorized', message: error.message, details: { reason: error.reason } } });
    }
  });
  // Every ingest route declares `auth.device()`; the hook above has already verified the certificate.
  installRouteAuth(app, {
    principal: async () => {
      throw new AppError('unauthorized', 'the ingest server takes device certificates only');
    },
    device: (request) => !!request.device,
  });
  acceptGzipBodies(app);
  registerIngestRoutes(app, ctx);
  registerPerkIngestRoutes(app, ctx);
  registerDevicePreflight(app, ctx);
  registerIngestPrivacyRoute(app, ctx);
  return app;
}

export async function startIngestServer(
  ctx: AppContext,
  listen: { host: string; port: number },
): Promise<RunningIngestServer> {
  const app = await buildIngestApp(ctx);
  await app.listen(listen);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host =
    ctx.config.publicHost ?? (listen.host === '0.0.0.0' || listen.host === '::' ? hostname() : listen.host);
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { app, port, url, close: () => app.close() };
}

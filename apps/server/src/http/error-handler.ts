import { type AppErrorCode, isAppError } from '@toktra/core';
import type { FastifyError, FastifyInstance } from 'fastify';

/** The one table from error code to HTTP status. */
export const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  validation_failed: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  data_dir_locked: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  upstream_failed: 502,
  database_unavailable: 503,
  internal: 500,
};

const CODE_BY_FASTIFY_STATUS: Record<number, AppErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export interface ErrorBody {
  error: { code: AppErrorCode; message: string; details?: Record<string, unknown> };
}

/** Converts every error to `{error: {code, message}}` in one place. Bad input is never a 5xx. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url}` } }),
  );
}

export function toErrorResponse(error: FastifyError): { status: number; body: ErrorBody } {
  if (isAppError(error)) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details) body.error.details = error.details;
    return { status: STATUS_BY_CODE[error.code], body };
  }
  if (error.validation) {
    const where = error.validationContext ?? 'body';
    const message = error.validation
      .map((v) => `${where}${v.instancePath.replaceAll('/', '.')}: ${v.message ?? 'is invalid'}`)
      .join('; ');
    return { status: 400, body: { error: { code: 'validation_failed', message } } };
  }
  const status = error.statusCode ?? 500;
  const code = CODE_BY_FASTIFY_STATUS[status];
  if (status < 500 && code) return { status, body: { error: { code, message: error.message } } };
  if (status >= 400 && status < 500)
    return { status, body: { error: { code: 'bad_request', message: error.message } } };
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

import { AppError } from '@toktra/core';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { SESSION_COOKIE } from '../auth/sessions.js';
import { findUnsafeText, NOT_FOUND_ISSUE } from '../validation.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies are decoded strictly: invalid UTF-8 is a 400, not silently stored as U+FFFD.
 * Parsing itself stays Fastify's (prototype-poisoning checks included).
 */
export function installStrictJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new AppError('bad_request', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message: string;
}

/**
 * The one validator of every route (body, query, params, headers): Zod, after refusing any string
 * PostgreSQL cannot store (NUL, lone surrogates) wherever it appears. A path id that is not a UUID
 * (see `pathIdSchema`) answers 404, as an id of another org does.
 */
export const safeValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  const validate = zodValidatorCompiler(route);
  return (data) => {
    const unsafe = findUnsafeText(data);
    if (unsafe) return { error: [issue(unsafe)] as unknown as Error };
    const result = validate(data) as { error?: ValidationIssue[]; value?: unknown };
    const notFound = result.error?.find(
      (i) => (i.params as { params?: { kind?: string } }).params?.kind === NOT_FOUND_ISSUE,
    );
    if (notFound) {
      const field = notFound.instancePath.split('/').filter(Boolean).at(-1) ?? 'id';
      return { error: new AppError('not_found', `${field} ${notFound.message}`) };
    }
    return result as ReturnType<ReturnType<FastifySchemaCompiler<z.ZodType>>>;
  };
};

function issue(text: string): ValidationIssue {
  const [where, message] = text.split(': ');
  return {
    keyword: 'text',
    instancePath: where === 'value' ? '' : `/${(where ?? '').replaceAll('.', '/')}`,
    schemaPath: '',
    params: {},
    message: message ?? text,
  };
}

/** How long clients may take; unauthenticated ones get the shorter body deadline. */
export interface HttpLimits {
  /** The whole request (headers and body) of anyone. */
  requestTimeoutMs: number;
  /** An idle socket. */
  connectionTimeoutMs: number;
  /** The body of a request without credentials (sign-in, enrolment, …). */
  anonymousBodyTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 60_000,
  anonymousBodyTimeoutMs: 10_000,
};

/**
 * Cuts a request without credentials whose body has not arrived within the anonymous deadline
 * (a slow-body client holds a socket and a parser for nothing). Authenticated clients get the
 * server-wide `requestTimeout`.
 */
export function installAnonymousBodyDeadline(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const credentials =
      request.headers.authorization || (request.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`);
    if (credentials || request.raw.complete) return done();
    const timer = setTimeout(() => {
      if (!request.raw.complete) request.raw.socket.destroy();
    }, ms);
    timer.unref();
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}

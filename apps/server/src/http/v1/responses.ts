import type { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { calendarDateSchema, pathIdSchema } from '../../validation.js';

/** The one error body of the API (see http/error-handler.ts). */
export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** Error responses every authenticated /v1 route can give, for the OpenAPI document. */
export const commonErrors = {
  400: errorSchema.describe('validation_failed: the input does not match the schema'),
  401: errorSchema.describe('unauthorized: no or an invalid API key'),
  403: errorSchema.describe('forbidden: the API key lacks the scope'),
  404: errorSchema.describe('not_found: no such resource in this org'),
  429: errorSchema.describe('rate_limited: retry after the Retry-After header'),
} as const;

/** Ids in paths and filters: any short string; one that is not an id of this org is a 404. */
export const idSchema = pathIdSchema();

/** `YYYY-MM-DD`, a real calendar date. */
export const dateSchema = calendarDateSchema;

/** Errors any route with a request body can also give. */
const bodyErrors = {
  413: errorSchema.describe('payload_too_large: the body is over the limit'),
  415: errorSchema.describe('unsupported_media_type: the body is not JSON'),
} as const;

type SchemaTransform = typeof jsonSchemaTransform;

/**
 * Wraps the OpenAPI transform so that every operation documents the error answers every route
 * can give (the error handler produces them for all routes, whatever a route declares itself).
 */
export function documentCommonErrors(transform: SchemaTransform): SchemaTransform {
  return (input) => {
    const schema = input.schema as { response?: Record<string, unknown>; body?: unknown } | undefined;
    if (!schema || (schema as { hide?: boolean }).hide) return transform(input);
    const response = { ...commonErrors, ...(schema.body ? bodyErrors : {}), ...schema.response };
    return transform({ ...input, schema: { ...schema, response } as typeof input.schema });
  };
}

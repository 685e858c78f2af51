/**
 * The one error type of Toktra. Services throw it with a string code; the HTTP layer maps the
 * code to a status in one table (apps/server/src/http/error-handler.ts) and the CLI maps it to an
 * exit code. Anything that is not an AppError is a bug and surfaces as `internal`.
 */
export const APP_ERROR_CODES = [
  'validation_failed',
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'gone',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'data_dir_locked',
  'database_unavailable',
  'upstream_failed',
  'internal',
] as const;

export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

import { isAppError } from '@toktra/core';
import { CommanderError } from 'commander';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Thrown for bad command-line input the parser itself cannot see. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Prints an error the way a person (or, with --json, a script) can act on it; returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  const usage = error instanceof UsageError || (isAppError(error) && error.code === 'validation_failed');
  const code = isAppError(error) ? error.code : usage ? 'usage' : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else process.stderr.write(`error: ${message}\n`);
  if (!isAppError(error) && !(error instanceof UsageError) && process.env.TOKTRA_DEBUG) console.error(error);
  return usage ? EXIT_USAGE : EXIT_FAILURE;
}

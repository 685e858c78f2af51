import { AppError } from '@toktra/core';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { monthSchema } from '../../../validation.js';
import { principalOf } from '../../auth.js';

/**
 * Token Perks belong to the signed-in employee alone. An API key — even an owner's admin key —
 * has no user and gets a 403; an admin's own session sees only the admin's own ledger.
 */
export function employeeOf(request: FastifyRequest): string {
  const principal = principalOf(request);
  if (principal.kind !== 'user' || !principal.userId) {
    throw new AppError(
      'forbidden',
      'Token Perks are the signed-in employee’s own; an API key cannot use them',
    );
  }
  return principal.userId;
}

const b64url = (max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url')
    .max(max);

export const wrappedKeySchema = z
  .object({
    v: z.literal(1),
    kdf: z.literal('pbkdf2-sha256'),
    iterations: z.number().int().min(100_000).max(10_000_000),
    salt: b64url(64),
    iv: b64url(32),
    ciphertext: b64url(128),
  })
  .strict();

export const enrollmentSchema = z.object({
  id: z.string(),
  public_key: z.string(),
  wrapped_private_key: wrappedKeySchema.nullable(),
  created_at: z.string(),
});

export const allowanceSchema = z.object({
  period: z.string(),
  monthly_allowance_tokens: z.number(),
  redeemed_tokens: z.number(),
  remaining_tokens: z.number(),
});

export const periodSchema = monthSchema;

/** What the device sends: sealed entries only (see @toktra/perks). */
export const sealedEntrySchema = z
  .object({
    enrollment_id: z.string().uuid(),
    client_id: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 hex digits'),
    enc: b64url(43).min(43),
    ciphertext: b64url(8192).min(24),
  })
  .strict();

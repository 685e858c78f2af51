import { AppError } from '@toktra/core';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { authenticate } from '../../auth.js';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const PrivacyWindow = z.object({
  days: z.array(z.number().int().min(1).max(7)).max(7).default([]),
  start: z.string().regex(HHMM, 'HH:MM, 24-hour'),
  end: z.string().regex(HHMM, 'HH:MM, 24-hour'),
});

export const OwnPrivacy = z.object({
  time_zone: z.string(),
  windows: z.array(z.object({ days: z.array(z.number()), start: z.string(), end: z.string() })),
  paused_until: z.string().nullable(),
  paused_indefinitely: z.boolean(),
  state: z.enum(['off', 'configured', 'active']),
  updated_at: z.string().nullable(),
});

export const TAGS = ['me'];

/** OpenAPI: these endpoints take the portal session, never an API key. */
export const SESSION_ONLY =
  'Only the signed-in employee, with their portal session (cookie + x-csrf-token on writes). API keys — any scope — and other users get 403: Privacy Hours cannot be read or overridden by admins.';

/**
 * Privacy Hours belong to the signed-in employee alone: a session is required (CSRF-checked on
 * writes) and any role may manage its own; API keys — even admin-scoped ones — get nothing,
 * because there is no "own" person behind a key and no admin override by design.
 */
export function requireOwnSession(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticate(ctx, request);
    if (principal.kind !== 'user' || !principal.userId) {
      throw new AppError(
        'forbidden',
        'Privacy Hours are managed only by the employee, signed in to the portal; API keys cannot read or change them',
      );
    }
  };
}

export function ownerOf(request: FastifyRequest): { orgId: string; userId: string } {
  const principal = request.principal;
  if (!principal?.userId) throw new AppError('unauthorized', 'sign in');
  return { orgId: principal.orgId, userId: principal.userId };
}

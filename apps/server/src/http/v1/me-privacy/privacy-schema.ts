import { AppError } from '@toktra/core';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

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

export function ownerOf(request: FastifyRequest): { orgId: string; userId: string } {
  const principal = request.principal;
  if (!principal?.userId) throw new AppError('unauthorized', 'sign in');
  return { orgId: principal.orgId, userId: principal.userId };
}

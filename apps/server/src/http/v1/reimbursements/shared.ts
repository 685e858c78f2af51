import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can } from '../../../auth/permissions.js';
import type { Decider } from '../../../reimbursements/service.js';
import { monthSchema } from '../../../validation.js';
import { actorOf, principalOf } from '../../auth.js';

export function deciderOf(request: FastifyRequest): Decider {
  const p = principalOf(request);
  return { actor: actorOf(request), userId: p.userId ?? null, admin: can(p, 'settings:manage') };
}

export const periodSchema = monthSchema;

export const reimbursementSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  user_email: z.string(),
  user_name: z.string(),
  amount: z.number(),
  currency: z.string(),
  period: z.string(),
  note: z.string(),
  approver_id: z.string().nullable(),
  status: z.enum(['submitted', 'approved', 'rejected']),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  decision_note: z.string().nullable(),
  exported_at: z.string().nullable(),
  created_at: z.string(),
});

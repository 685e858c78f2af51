import { z } from 'zod';
import { pathIdSchema } from '../../../validation.js';

export const browserSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  user_email: z.string(),
  user_name: z.string(),
  name: z.string(),
  enrolled_via: z.enum(['sign_in', 'managed_policy']),
  extension_version: z.string().nullable(),
  created_at: z.string(),
  last_seen_at: z.string().nullable(),
  last_sync_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const browserParamsSchema = z.object({ id: pathIdSchema() });

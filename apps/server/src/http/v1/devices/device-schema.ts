import { z } from 'zod';
import { pathIdSchema } from '../../../validation.js';

/** The public shape of a device in /v1 responses. */
export const deviceSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  os: z.string().nullable(),
  os_user: z.string().nullable(),
  agent_version: z.string().nullable(),
  owner_user_id: z.string().nullable(),
  status: z.enum(['active', 'revoked']),
  privacy_state: z.enum(['off', 'configured', 'active']).nullable(),
  last_seen_at: z.string().nullable(),
  enrolled_at: z.string(),
  revoked_at: z.string().nullable(),
  cert_serial: z.string().nullable(),
  cert_not_after: z.string().nullable(),
  queue_depth: z.number().nullable(),
  protected: z.boolean().describe('certificate active and seen in the last 15 minutes'),
});

export const deviceParamsSchema = z.object({ id: pathIdSchema() });

import { CONNECTION_PROVIDERS } from '@toktra/db';
import { z } from 'zod';
import { pathIdSchema } from '../../../validation.js';

export const connectionSchema = z.object({
  id: z.string(),
  provider: z.enum(CONNECTION_PROVIDERS),
  name: z.string(),
  base_url: z.string().nullable(),
  credentials_hint: z.string().describe('a masked hint; credentials are never returned'),
  status: z.enum(['pending', 'healthy', 'unhealthy']),
  last_error: z.string().nullable().describe("the provider's own words from the last failed poll"),
  last_synced_at: z.string().nullable(),
  backfilled_at: z.string().nullable(),
  created_at: z.string(),
});

export const idParams = z.object({ id: pathIdSchema() });

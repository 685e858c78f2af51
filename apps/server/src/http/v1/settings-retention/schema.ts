import { z } from 'zod';
import { DEFAULT_RETENTION_DAYS, PERSONAL_TTL_DAYS } from '../../../retention/service.js';

export const Retention = z.object({
  usage_days: z
    .number()
    .int()
    .describe(`days events and usage rollups are kept (default ${DEFAULT_RETENTION_DAYS})`),
  personal_ttl_days: z
    .number()
    .int()
    .describe(`Token Perks personal usage: fixed at ${PERSONAL_TTL_DAYS} days`),
});

import { z } from 'zod';

export const priceSchema = z.object({
  provider: z.string(),
  model: z.string().describe('"*" prices every model of the provider'),
  input_per_mtok: z.number().describe('currency per 1M input tokens'),
  output_per_mtok: z.number().describe('currency per 1M output tokens'),
  source: z.enum(['default', 'org']),
});

export const priceParamsSchema = z.object({
  provider: z.string().trim().min(1).max(100),
  model: z.string().trim().min(1).max(200),
});

import { AppError } from '@toktra/core';
import type { ConnectionProvider } from '@toktra/db';
import { z } from 'zod';

/**
 * What each provider's connection needs. Validated on create; stored only encrypted; shown only
 * as `hintFor(...)`.
 */
const OpenAiCredentials = z.strictObject({
  admin_key: z
    .string()
    .trim()
    .min(20)
    .max(400)
    .refine(
      (k) => k.startsWith('sk-admin-'),
      'an OpenAI admin key starts with "sk-admin-" (create one under Settings → Admin keys)',
    ),
});

const AnthropicCredentials = z.strictObject({
  admin_key: z
    .string()
    .trim()
    .min(20)
    .max(400)
    .refine((k) => k.startsWith('sk-ant-admin'), 'an Anthropic admin key starts with "sk-ant-admin"'),
});

const ARM_ACCOUNT =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.CognitiveServices\/accounts\/[^/]+$/i;

const AzureCredentials = z.strictObject({
  tenant_id: z.string().trim().min(1).max(100),
  client_id: z.string().trim().min(1).max(100),
  client_secret: z.string().min(1).max(400),
  resource_ids: z
    .array(
      z
        .string()
        .trim()
        .regex(
          ARM_ACCOUNT,
          'must be a Cognitive Services account resource id (/subscriptions/…/providers/Microsoft.CognitiveServices/accounts/…)',
        ),
    )
    .min(1)
    .max(50),
});

const ServiceAccount = z.object({
  type: z.literal('service_account'),
  project_id: z.string().min(1),
  private_key_id: z.string().min(1),
  private_key: z.string().includes('PRIVATE KEY'),
  client_email: z.string().email(),
});

const VertexCredentials = z.strictObject({
  // Accept the downloaded key file as an object or as its JSON text.
  service_account: z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }, ServiceAccount),
  /** Projects to read; defaults to the service account's own project. */
  project_ids: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
});

export type OpenAiCredentials = z.infer<typeof OpenAiCredentials>;
export type AnthropicCredentials = z.infer<typeof AnthropicCredentials>;
export type AzureCredentials = z.infer<typeof AzureCredentials>;
export type VertexCredentials = z.infer<typeof VertexCredentials>;
export type Credentials = OpenAiCredentials | AnthropicCredentials | AzureCredentials | VertexCredentials;

const SCHEMAS: Record<ConnectionProvider, z.ZodType<Credentials>> = {
  openai: OpenAiCredentials,
  anthropic: AnthropicCredentials,
  'azure-openai': AzureCredentials,
  'google-vertex': VertexCredentials,
};

/** Validates `credentials` for `provider`; the message names the field, never echoes a value. */
export function parseCredentials(provider: ConnectionProvider, credentials: unknown): Credentials {
  const result = SCHEMAS[provider].safeParse(credentials);
  if (!result.success) {
    const issues = result.error.issues
      .map((i) => `credentials${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`)
      .join('; ');
    throw new AppError('validation_failed', `invalid ${provider} credentials: ${issues}`);
  }
  return result.data;
}

const last4 = (s: string) => s.slice(-4);

/** A masked hint that identifies the credential without revealing it. */
export function hintFor(provider: ConnectionProvider, c: Credentials): string {
  switch (provider) {
    case 'openai':
      return `sk-admin-…${last4((c as OpenAiCredentials).admin_key)}`;
    case 'anthropic':
      return `sk-ant-admin…${last4((c as AnthropicCredentials).admin_key)}`;
    case 'azure-openai': {
      const a = c as AzureCredentials;
      return `client ${a.client_id}, secret …${last4(a.client_secret)}, ${a.resource_ids.length} account(s)`;
    }
    case 'google-vertex': {
      const v = c as VertexCredentials;
      return `${v.service_account.client_email} (key …${last4(v.service_account.private_key_id)})`;
    }
  }
}

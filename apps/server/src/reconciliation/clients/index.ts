import type { ConnectionProvider } from '@toktra/db';
import type {
  AnthropicCredentials,
  AzureCredentials,
  Credentials,
  OpenAiCredentials,
  VertexCredentials,
} from '../credentials.js';
import type { ClientOptions, ProviderClient } from '../types.js';
import { createAnthropicClient } from './anthropic.js';
import { createAzureOpenAiClient } from './azure-openai.js';
import { createVertexClient } from './google-vertex.js';
import { createOpenAiClient } from './openai.js';

export function createProviderClient(
  provider: ConnectionProvider,
  credentials: Credentials,
  options: ClientOptions = {},
): ProviderClient {
  switch (provider) {
    case 'openai':
      return createOpenAiClient(credentials as OpenAiCredentials, options);
    case 'anthropic':
      return createAnthropicClient(credentials as AnthropicCredentials, options);
    case 'azure-openai':
      return createAzureOpenAiClient(credentials as AzureCredentials, options);
    case 'google-vertex':
      return createVertexClient(credentials as VertexCredentials, options);
  }
}

import type { CatalogueEntry, Product } from './types.js';

/**
 * The curated provider catalogue: data, not code. Sources are in
 * shared/reference/provider-apis.md §6.2 (provider docs, V2FLY domain lists, LiteLLM endpoint
 * table, Copilot and Cursor network allowlists).
 *
 * Curation rules:
 * - List hosts that carry prompts/completions or prove a tool is in use; leave out marketing
 *   sites, CDNs and downloads (`cdn.oaistatic.com`, `huggingface.co` model pulls), whose bytes
 *   would turn into phantom tokens.
 * - Prefer `suffix` on API hosts so regional/residency subdomains (`eu.api.openai.com`,
 *   `us-east-1.api.x.ai`) classify too; use `exact` where siblings under the same parent are
 *   unrelated (`sydney.bing.com`, `generativelanguage.googleapis.com`).
 * - `telemetry` rows prove a tool is present but never get tokens (see the estimator).
 * - Shared hosts that SNI cannot attribute (Microsoft 365 Copilot on `substrate.office.com`,
 *   `api.github.com/copilot_internal`) are left out on purpose: a false positive is worse than a
 *   miss, which reconciliation reports as shadow AI anyway.
 */
type HostRow = { host: string; match: 'exact' | 'suffix'; product: Product; category: string };

export type ProviderCatalogue = { id: string; displayName: string; hosts: readonly HostRow[] };

const api = (host: string, match: 'exact' | 'suffix' = 'suffix', category = 'llm-api'): HostRow => ({
  host,
  match,
  product: 'api',
  category,
});
const chat = (host: string, match: 'exact' | 'suffix' = 'suffix', category = 'chat'): HostRow => ({
  host,
  match,
  product: 'chat-app',
  category,
});
const coding = (host: string, match: 'exact' | 'suffix' = 'suffix', category = 'coding'): HostRow => ({
  host,
  match,
  product: 'coding-assistant',
  category,
});

export const BUILTIN_PROVIDERS: readonly ProviderCatalogue[] = [
  {
    id: 'openai',
    displayName: 'OpenAI',
    hosts: [
      api('api.openai.com'),
      chat('chatgpt.com'),
      chat('chat.openai.com'), // also ios./android.chat.openai.com (mobile apps)
      chat('chat.com', 'exact'), // redirects to chatgpt.com
      chat('chatgpt.livekit.cloud', 'exact'), // ChatGPT voice mode
      chat('ab.chatgpt.com', 'exact', 'telemetry'), // Statsig experiment/telemetry beacon
    ],
  },
  {
    id: 'anthropic',
    displayName: 'Anthropic',
    hosts: [
      api('api.anthropic.com'), // also Claude Code, which talks to the API directly
      chat('claude.ai'),
      chat('claude.com'),
      coding('statsig.anthropic.com', 'exact', 'telemetry'), // Claude Code telemetry
    ],
  },
  {
    id: 'azure-openai',
    displayName: 'Azure OpenAI',
    hosts: [
      api('openai.azure.com'),
      // Also Speech/Vision resources; Azure names them all alike and SNI cannot tell them apart.
      api('cognitiveservices.azure.com'),
      api('services.ai.azure.com'), // Azure AI Foundry model inference
    ],
  },
  {
    id: 'google-vertex',
    displayName: 'Google Vertex AI',
    hosts: [api('aiplatform.googleapis.com', 'exact'), api('*-aiplatform.googleapis.com', 'exact')],
  },
  {
    id: 'gemini',
    displayName: 'Google Gemini',
    hosts: [
      api('generativelanguage.googleapis.com', 'exact'),
      chat('gemini.google.com'),
      chat('gemini.google'),
      chat('bard.google.com', 'exact'),
      chat('aistudio.google.com', 'exact'),
      chat('alkalimakersuite-pa.clients6.google.com', 'exact'), // AI Studio backend
      coding('cloudcode-pa.googleapis.com', 'exact'), // Gemini Code Assist and Gemini CLI
      coding('cloudaicompanion.googleapis.com', 'exact'),
    ],
  },
  {
    id: 'github-copilot',
    displayName: 'GitHub Copilot',
    hosts: [
      coding('githubcopilot.com'), // api., *.individual., *.business., *.enterprise.
      coding('copilot-proxy.githubusercontent.com', 'exact'),
      coding('copilot-telemetry.githubusercontent.com', 'exact', 'telemetry'),
    ],
  },
  {
    id: 'microsoft-copilot',
    displayName: 'Microsoft Copilot',
    hosts: [
      chat('copilot.microsoft.com'),
      chat('copilot.cloud.microsoft'),
      chat('copilot.com', 'exact'),
      chat('sydney.bing.com', 'exact'), // Copilot-in-Bing conversation socket
    ],
  },
  {
    id: 'mistral',
    displayName: 'Mistral AI',
    hosts: [api('api.mistral.ai'), api('codestral.mistral.ai', 'suffix', 'coding'), chat('chat.mistral.ai')],
  },
  { id: 'cohere', displayName: 'Cohere', hosts: [api('api.cohere.com'), api('api.cohere.ai')] },
  {
    id: 'perplexity',
    displayName: 'Perplexity',
    hosts: [
      api('api.perplexity.ai'),
      chat('perplexity.ai', 'suffix', 'search'),
      chat('perplexity.com', 'suffix', 'search'),
    ],
  },
  { id: 'deepseek', displayName: 'DeepSeek', hosts: [api('api.deepseek.com'), chat('chat.deepseek.com')] },
  { id: 'xai', displayName: 'xAI', hosts: [api('api.x.ai'), chat('grok.com'), chat('grok.x.com', 'exact')] },
  { id: 'groq', displayName: 'Groq', hosts: [api('api.groq.com')] },
  // A router: the SNI shows OpenRouter, never the model vendor behind it.
  { id: 'openrouter', displayName: 'OpenRouter', hosts: [api('openrouter.ai')] },
  {
    id: 'huggingface',
    displayName: 'Hugging Face',
    hosts: [
      api('router.huggingface.co'),
      api('api-inference.huggingface.co'),
      api('endpoints.huggingface.cloud'), // dedicated Inference Endpoints
    ],
  },
  { id: 'cursor', displayName: 'Cursor', hosts: [coding('cursor.sh')] }, // api2., api3., repo42., …
  {
    id: 'windsurf',
    displayName: 'Windsurf (Codeium)',
    hosts: [coding('codeium.com'), coding('windsurf.com')],
  },
  { id: 'tabnine', displayName: 'Tabnine', hosts: [coding('tabnine.com')] },
  {
    id: 'amazon-bedrock',
    displayName: 'Amazon Bedrock',
    hosts: [
      api('bedrock-runtime.*.amazonaws.com', 'exact'),
      api('bedrock-runtime-fips.*.amazonaws.com', 'exact'),
      api('bedrock-agent-runtime.*.amazonaws.com', 'exact'),
    ],
  },
  {
    id: 'amazon-q',
    displayName: 'Amazon Q Developer',
    // Literal regions (the only ones Q Developer runs in): `q.*.amazonaws.com` would also match
    // the S3 bucket `q` at `q.s3.amazonaws.com`.
    hosts: [
      coding('q.us-east-1.amazonaws.com', 'exact'),
      coding('q.eu-central-1.amazonaws.com', 'exact'),
      coding('codewhisperer.us-east-1.amazonaws.com', 'exact'),
    ],
  },
  { id: 'together', displayName: 'Together AI', hosts: [api('api.together.xyz'), api('api.together.ai')] },
  { id: 'fireworks', displayName: 'Fireworks AI', hosts: [api('api.fireworks.ai')] },
  { id: 'replicate', displayName: 'Replicate', hosts: [api('api.replicate.com')] },
  { id: 'deepinfra', displayName: 'DeepInfra', hosts: [api('api.deepinfra.com')] },
  { id: 'cerebras', displayName: 'Cerebras', hosts: [api('api.cerebras.ai')] },
  { id: 'nvidia', displayName: 'NVIDIA NIM', hosts: [api('integrate.api.nvidia.com', 'exact')] },
  { id: 'meta-ai', displayName: 'Meta AI', hosts: [chat('meta.ai')] },
  { id: 'poe', displayName: 'Poe', hosts: [chat('poe.com')] },
  { id: 'character-ai', displayName: 'Character.AI', hosts: [chat('character.ai')] },
];

/** The catalogue flattened into entries, in the order above. */
export const BUILTIN_ENTRIES: readonly CatalogueEntry[] = BUILTIN_PROVIDERS.flatMap((p) =>
  p.hosts.map((h) => ({ ...h, provider: p.id })),
);

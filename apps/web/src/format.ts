const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en');

export const formatCompact = (n: number): string => compact.format(n);
export const formatNumber = (n: number): string => whole.format(n);

export function formatAgo(iso: string | null): string {
  if (!iso) return 'never';
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

const PROVIDER_NAMES: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'azure-openai': 'Azure OpenAI',
  'google-vertex': 'GCP Vertex AI',
  gemini: 'Google Gemini',
  'github-copilot': 'GitHub Copilot',
  'microsoft-copilot': 'Microsoft Copilot',
  mistral: 'Mistral',
  cohere: 'Cohere',
  perplexity: 'Perplexity',
  deepseek: 'DeepSeek',
  cursor: 'Cursor',
};

export const providerName = (id: string | null): string => (id ? (PROVIDER_NAMES[id] ?? id) : 'Unknown');

/**
 * The built-in price list, in currency units (USD) per 1M tokens, used to cost token usage for
 * money budgets until an org overrides a row (`model_prices`). Model `*` prices every model of a
 * provider (SNI-observed events carry no model, so the provider row is what most usage meets);
 * provider `*` is the last resort. Public list prices of late 2025; orgs should set their own.
 */
export interface PriceRow {
  provider: string;
  model: string;
  input_per_mtok: number;
  output_per_mtok: number;
}

export const DEFAULT_PRICES: readonly PriceRow[] = Object.freeze([
  { provider: '*', model: '*', input_per_mtok: 3, output_per_mtok: 15 },
  { provider: 'openai', model: '*', input_per_mtok: 2.5, output_per_mtok: 10 },
  { provider: 'openai', model: 'gpt-4o', input_per_mtok: 2.5, output_per_mtok: 10 },
  { provider: 'openai', model: 'gpt-4o-mini', input_per_mtok: 0.15, output_per_mtok: 0.6 },
  { provider: 'openai', model: 'gpt-4.1', input_per_mtok: 2, output_per_mtok: 8 },
  { provider: 'openai', model: 'gpt-4.1-mini', input_per_mtok: 0.4, output_per_mtok: 1.6 },
  { provider: 'openai', model: 'o3', input_per_mtok: 2, output_per_mtok: 8 },
  { provider: 'azure-openai', model: '*', input_per_mtok: 2.5, output_per_mtok: 10 },
  { provider: 'anthropic', model: '*', input_per_mtok: 3, output_per_mtok: 15 },
  { provider: 'anthropic', model: 'claude-sonnet-4', input_per_mtok: 3, output_per_mtok: 15 },
  { provider: 'anthropic', model: 'claude-opus-4', input_per_mtok: 15, output_per_mtok: 75 },
  { provider: 'anthropic', model: 'claude-haiku-3.5', input_per_mtok: 0.8, output_per_mtok: 4 },
  { provider: 'amazon-bedrock', model: '*', input_per_mtok: 3, output_per_mtok: 15 },
  { provider: 'gemini', model: '*', input_per_mtok: 1.25, output_per_mtok: 10 },
  { provider: 'google-vertex', model: '*', input_per_mtok: 1.25, output_per_mtok: 10 },
  { provider: 'mistral', model: '*', input_per_mtok: 2, output_per_mtok: 6 },
  { provider: 'cohere', model: '*', input_per_mtok: 2.5, output_per_mtok: 10 },
  { provider: 'deepseek', model: '*', input_per_mtok: 0.27, output_per_mtok: 1.1 },
  { provider: 'xai', model: '*', input_per_mtok: 3, output_per_mtok: 15 },
  { provider: 'groq', model: '*', input_per_mtok: 0.59, output_per_mtok: 0.79 },
  { provider: 'together', model: '*', input_per_mtok: 0.88, output_per_mtok: 0.88 },
  { provider: 'fireworks', model: '*', input_per_mtok: 0.9, output_per_mtok: 0.9 },
  { provider: 'perplexity', model: '*', input_per_mtok: 1, output_per_mtok: 1 },
]);

export type PriceLookup = (provider: string, model: string | null) => PriceRow;

/**
 * Builds a lookup: exact (provider, model) first, then (provider, `*`), then (`*`, `*`); org
 * overrides win over defaults at each step.
 */
export function createPriceLookup(overrides: readonly PriceRow[]): PriceLookup {
  const table = new Map<string, PriceRow>();
  for (const row of [...DEFAULT_PRICES, ...overrides]) table.set(`${row.provider}\u0000${row.model}`, row);
  const fallback = table.get('*\u0000*') as PriceRow;
  return (provider, model) =>
    (model !== null ? table.get(`${provider}\u0000${model}`) : undefined) ??
    table.get(`${provider}\u0000*`) ??
    fallback;
}

/** Cost of a usage in currency units. */
export function costOf(price: PriceRow, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.input_per_mtok + outputTokens * price.output_per_mtok) / 1_000_000;
}

/** Tokens one currency unit buys at a blended (input/output average) price; null when free. */
export function tokensPerCurrency(price: PriceRow): number | null {
  const blended = (price.input_per_mtok + price.output_per_mtok) / 2;
  return blended > 0 ? 1_000_000 / blended : null;
}

/**
 * What kind of surface a host serves. It drives the estimator (chat apps carry page loads and
 * telemetry on the same connection, APIs mostly carry prompts and completions) and the dashboard.
 */
export type Product = 'api' | 'chat-app' | 'coding-assistant';

export const PRODUCTS: readonly Product[] = ['api', 'chat-app', 'coding-assistant'];

/**
 * One catalogue row.
 *
 * - `match: 'exact'` matches the host itself only.
 * - `match: 'suffix'` matches the host and every subdomain of it, on label boundaries:
 *   `openai.com` matches `openai.com` and `x.openai.com`, never `notopenai.com`.
 * - A label may hold one `*`, matching any run of characters inside that label only (never a dot):
 *   `*-aiplatform.googleapis.com`, `bedrock-runtime.*.amazonaws.com`. This covers region-shaped
 *   hostnames without a regex scan.
 *
 * `category` is a free usage-category string; the built-in ones are in `BUILTIN_CATEGORIES`.
 */
export type CatalogueEntry = {
  host: string;
  match: 'exact' | 'suffix';
  provider: string;
  product: Product;
  category: string;
};

export type Classification = {
  provider: string;
  product: Product;
  category: string;
};

export type Catalogue = {
  /** Classifies an SNI host; `null` means "not AI traffic" and the flow is never reported. */
  classify(host: string): Classification | null;
  /** Every entry, org entries first, as normalised at creation. */
  readonly entries: readonly CatalogueEntry[];
};

/**
 * Built-in usage categories. `telemetry` marks hosts that prove a tool is in use but carry no
 * prompts or completions, so the estimator attributes no tokens to them.
 */
export const BUILTIN_CATEGORIES = ['llm-api', 'chat', 'coding', 'search', 'telemetry'] as const;

export type BuiltinCategory = (typeof BUILTIN_CATEGORIES)[number];

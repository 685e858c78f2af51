import { BUILTIN_PROVIDERS } from './builtin-catalogue.js';

export type ProviderInfo = { id: string; displayName: string };

/** Every built-in provider, in catalogue order (for pickers and filters). */
export const PROVIDERS: readonly ProviderInfo[] = Object.freeze(
  BUILTIN_PROVIDERS.map((p) => Object.freeze({ id: p.id, displayName: p.displayName })),
);

const DISPLAY_NAMES: ReadonlyMap<string, string> = new Map(PROVIDERS.map((p) => [p.id, p.displayName]));

/**
 * Human name for a provider id. Org-defined providers have no curated name, so their id is shown
 * as-is rather than guessed at.
 *
 * @example
 * providerDisplayName('azure-openai'); // 'Azure OpenAI'
 * providerDisplayName('corp-gateway'); // 'corp-gateway'
 */
export function providerDisplayName(id: string): string {
  return DISPLAY_NAMES.get(id) ?? id;
}

export function isBuiltinProvider(id: string): boolean {
  return DISPLAY_NAMES.has(id);
}

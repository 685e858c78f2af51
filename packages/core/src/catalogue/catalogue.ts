import { BUILTIN_ENTRIES } from './builtin-catalogue.js';
import type { LabelMatcher } from './host-pattern.js';
import { matchLabel, normalizeHost, splitPattern, validateCatalogueEntry } from './host-pattern.js';
import type { Catalogue, CatalogueEntry, Classification } from './types.js';

export class CatalogueEntryError extends Error {
  override name = 'CatalogueEntryError';
  constructor(
    readonly entry: CatalogueEntry,
    reason: string,
  ) {
    super(`invalid catalogue entry: ${reason}`);
  }
}

type WildcardPattern = {
  exact: boolean;
  head: LabelMatcher[];
  /** Labels the pattern covers and how many of them are literal: the tie-breakers. */
  covered: number;
  literal: number;
  result: Classification;
};

/**
 * One precedence layer (org entries, or built-ins). Lookups are Map hits keyed by the host and
 * by each of its label-boundary suffixes, so cost grows with the host's label count, never with
 * the size of the catalogue.
 */
type Layer = {
  exact: Map<string, Classification>;
  suffix: Map<string, Classification>;
  wildcard: Map<string, WildcardPattern[]>;
  entries: CatalogueEntry[];
};

// Ranks a match: any exact entry beats any suffix; then more covered labels; then more literal
// labels (so `api.example.com` beats `*.example.com` at the same depth). 256 > max label count.
const EXACT_RANK = 1 << 20;
const rank = (exact: boolean, covered: number, literal: number) =>
  (exact ? EXACT_RANK : 0) + covered * 256 + literal;

function buildLayer(source: readonly CatalogueEntry[]): Layer {
  const layer: Layer = { exact: new Map(), suffix: new Map(), wildcard: new Map(), entries: [] };
  for (const raw of source) {
    const reason = validateCatalogueEntry(raw);
    if (reason !== null) throw new CatalogueEntryError(raw, reason);
    const entry: CatalogueEntry = {
      host: normalizeHost(raw.host),
      match: raw.match,
      provider: raw.provider,
      product: raw.product,
      category: raw.category,
    };
    layer.entries.push(entry);
    // Frozen and shared: classify runs per connection, so it returns this object without copying.
    const result: Classification = Object.freeze({
      provider: entry.provider,
      product: entry.product,
      category: entry.category,
    });
    const { tail, tailLabels, head } = splitPattern(entry.host);
    const exact = entry.match === 'exact';
    if (head.length === 0) {
      // Later rows win, so an org can restate a host in a later row to correct an earlier one.
      (exact ? layer.exact : layer.suffix).set(entry.host, result);
      continue;
    }
    const literal = tailLabels + head.filter((m) => !m.wildcard).length;
    const pattern = { exact, head, covered: tailLabels + head.length, literal, result };
    const list = layer.wildcard.get(tail);
    if (list) list.push(pattern);
    else layer.wildcard.set(tail, [pattern]);
  }
  return layer;
}

function classifyInLayer(layer: Layer, host: string): Classification | null {
  const exact = layer.exact.get(host);
  if (exact) return exact;
  if (layer.suffix.size === 0 && layer.wildcard.size === 0) return null;

  let best: Classification | null = null;
  let bestRank = -1;
  let labels: string[] | null = null;
  let totalLabels = 1;
  for (let i = 0; i < host.length; i++) if (host.charCodeAt(i) === 46) totalLabels++;

  // Walk the suffixes longest first: "a.b.c", "b.c", "c".
  let start = 0;
  for (let before = 0; before < totalLabels; before++) {
    const tail = start === 0 ? host : host.slice(start);
    const tailLabels = totalLabels - before;
    const literal = layer.suffix.get(tail);
    if (literal && rank(false, tailLabels, tailLabels) > bestRank) {
      best = literal;
      bestRank = rank(false, tailLabels, tailLabels);
    }
    const patterns = layer.wildcard.get(tail);
    if (patterns) {
      labels ??= host.split('.');
      for (const p of patterns) {
        const r = rank(p.exact, p.covered, p.literal);
        if (r <= bestRank || !matchesHead(p, labels, before)) continue;
        best = p.result;
        bestRank = r;
      }
    }
    start = host.indexOf('.', start) + 1;
  }
  return best;
}

/** `before` = number of host labels left of the tail; the head must sit right against the tail. */
function matchesHead(p: WildcardPattern, labels: string[], before: number): boolean {
  const w = p.head.length;
  if (p.exact ? before !== w : before < w) return false;
  for (let i = 0; i < w; i++) {
    const matcher = p.head[i];
    const label = labels[before - w + i];
    if (matcher === undefined || label === undefined || !matchLabel(matcher, label)) return false;
  }
  return true;
}

let builtinLayer: Layer | undefined;

/**
 * Builds a catalogue from the built-in entries plus an org's own. Org entries form a layer that is
 * consulted first: when any of them matches, it wins over every built-in, so an admin who
 * re-labels `cursor.sh` gets that label for `api2.cursor.sh` too. Within a layer, exact beats
 * suffix and the longest suffix wins. Throws `CatalogueEntryError` on an invalid entry; use
 * `validateCatalogueEntry` to check input before storing it.
 *
 * @example
 * const catalogue = createCatalogue([
 *   { host: 'llm.corp.example', match: 'exact', provider: 'corp-gateway', product: 'api', category: 'llm-api' },
 * ]);
 * catalogue.classify('API.OpenAI.com.'); // { provider: 'openai', product: 'api', category: 'llm-api' }
 * catalogue.classify('example.org'); // null
 */
export function createCatalogue(extra: readonly CatalogueEntry[] = []): Catalogue {
  builtinLayer ??= buildLayer(BUILTIN_ENTRIES);
  const builtins = builtinLayer;
  const org = extra.length > 0 ? buildLayer(extra) : null;
  const entries = Object.freeze([...(org?.entries ?? []), ...builtins.entries]);
  return {
    entries,
    classify(host: string): Classification | null {
      const h = normalizeHost(host);
      // Empty labels cannot come from a valid SNI; refusing them keeps the walk simple.
      if (h.length === 0 || h.startsWith('.') || h.includes('..')) return null;
      return (org && classifyInLayer(org, h)) ?? classifyInLayer(builtins, h);
    },
  };
}

/** The built-in catalogue, for callers without org entries (e.g. `agent replay`). */
export const defaultCatalogue: Catalogue = createCatalogue();

import type { CatalogueEntry } from './types.js';
import { PRODUCTS } from './types.js';

/**
 * SNI is case-insensitive (RFC 6066 says ASCII hostnames, DNS compares without case) and a
 * fully-qualified `name.` is the same name, so both forms must classify alike.
 */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** A label of a pattern: literal (`prefix` is the whole label) or with one `*` between the parts. */
export type LabelMatcher = { wildcard: boolean; prefix: string; suffix: string };

/**
 * A pattern split at its rightmost wildcard label: `tail` is the literal right-hand part used as
 * the index key, `head` the labels left of it (the last of which holds the `*`).
 */
export type SplitPattern = { tail: string; tailLabels: number; head: LabelMatcher[] };

const LABEL = /^[a-z0-9_*](?:[a-z0-9_*-]{0,61}[a-z0-9_*])?$/;
const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_CATEGORY_LENGTH = 64;

export function splitPattern(host: string): SplitPattern {
  const labels = host.split('.');
  let lastWild = -1;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]?.includes('*')) lastWild = i;
  }
  const head = labels.slice(0, lastWild + 1).map(toMatcher);
  const tailParts = labels.slice(lastWild + 1);
  return { tail: tailParts.join('.'), tailLabels: tailParts.length, head };
}

function toMatcher(label: string): LabelMatcher {
  const star = label.indexOf('*');
  if (star < 0) return { wildcard: false, prefix: label, suffix: '' };
  return { wildcard: true, prefix: label.slice(0, star), suffix: label.slice(star + 1) };
}

export function matchLabel(matcher: LabelMatcher, label: string): boolean {
  if (!matcher.wildcard) return matcher.prefix === label;
  return (
    label.length > 0 &&
    label.length >= matcher.prefix.length + matcher.suffix.length &&
    label.startsWith(matcher.prefix) &&
    label.endsWith(matcher.suffix)
  );
}

/**
 * Why an entry is unusable, or `null` when it is fine. Exposed so the API that stores org
 * entries can reject bad input with a clear message instead of failing later at classification.
 * The host is checked after normalisation (case, trailing dot).
 */
export function validateCatalogueEntry(entry: CatalogueEntry): string | null {
  const host = normalizeHost(entry.host);
  if (host.length === 0 || host.length > 253) return `host "${entry.host}" must be 1-253 characters`;
  const labels = host.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) return `host "${entry.host}" has an invalid label "${label}"`;
    if (label.indexOf('*') !== label.lastIndexOf('*')) {
      return `host "${entry.host}": a label may hold at most one "*"`;
    }
  }
  const { tailLabels, head } = splitPattern(host);
  // A pattern anchored on fewer than two literal labels (`*.com`, `ai` as a suffix) would swallow
  // a whole TLD and report unrelated traffic as AI usage.
  if (head.length > 0 && tailLabels < 2) {
    return `host "${entry.host}": a wildcard needs at least two literal labels to its right`;
  }
  if (entry.match === 'suffix' && labels.length < 2) {
    return `host "${entry.host}": a suffix needs at least two labels`;
  }
  if (entry.match !== 'exact' && entry.match !== 'suffix') return `match must be "exact" or "suffix"`;
  if (!PROVIDER_ID.test(entry.provider)) {
    return `provider "${entry.provider}" must be a lowercase id (a-z, 0-9, ".", "_", "-")`;
  }
  if (!PRODUCTS.includes(entry.product)) return `product must be one of ${PRODUCTS.join(', ')}`;
  if (entry.category.length === 0 || entry.category.length > MAX_CATEGORY_LENGTH) {
    return `category must be 1-${MAX_CATEGORY_LENGTH} characters`;
  }
  return null;
}

import { BUILTIN_ENTRIES, type CatalogueEntry } from './core.js';

/**
 * The provider catalogue as Chrome match patterns and DNR domains: the ONLY hosts the extension
 * may see (host_permissions, webRequest URL filters) and the only ones it blocks. Entries with a
 * wildcard inside a label (`*-aiplatform.googleapis.com`) cannot be written as a match pattern
 * without widening them to a whole parent domain, so they are left out (docs/extension.md).
 */
export function matchPatterns(entries: readonly CatalogueEntry[] = BUILTIN_ENTRIES): string[] {
  const patterns = new Set<string>();
  for (const e of entries) {
    if (e.host.includes('*')) continue;
    patterns.add(`https://${e.host}/*`);
    if (e.match === 'suffix') patterns.add(`https://*.${e.host}/*`);
  }
  return [...patterns].sort();
}

/** Domains for declarativeNetRequest `requestDomains` (which also covers subdomains). */
export function blockDomains(entries: readonly CatalogueEntry[] = BUILTIN_ENTRIES): string[] {
  return [...new Set(entries.filter((e) => !e.host.includes('*')).map((e) => e.host))].sort();
}

import { describe, expect, it } from 'vitest';
import { BUILTIN_ENTRIES, BUILTIN_PROVIDERS } from './builtin-catalogue.js';
import { validateCatalogueEntry } from './host-pattern.js';
import { isBuiltinProvider, PROVIDERS, providerDisplayName } from './providers.js';
import { BUILTIN_CATEGORIES } from './types.js';

describe('built-in catalogue data', () => {
  it('holds only valid entries with built-in categories', () => {
    for (const e of BUILTIN_ENTRIES) {
      expect(validateCatalogueEntry(e), e.host).toBeNull();
      expect(BUILTIN_CATEGORIES, e.host).toContain(e.category);
      expect(e.host, 'hosts are stored normalised').toBe(e.host.toLowerCase());
    }
  });

  it('never lists the same host and match twice', () => {
    const keys = BUILTIN_ENTRIES.map((e) => `${e.match}:${e.host}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('has unique provider ids, each with hosts and a display name', () => {
    const ids = BUILTIN_PROVIDERS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of BUILTIN_PROVIDERS) {
      expect(p.hosts.length, p.id).toBeGreaterThan(0);
      expect(p.displayName.trim(), p.id).not.toBe('');
    }
  });

  it('covers the providers the design names', () => {
    const required = [
      'openai',
      'anthropic',
      'azure-openai',
      'google-vertex',
      'gemini',
      'github-copilot',
      'microsoft-copilot',
      'mistral',
      'cohere',
      'perplexity',
      'deepseek',
      'xai',
      'groq',
      'openrouter',
      'huggingface',
      'cursor',
      'together',
      'fireworks',
      'replicate',
      'windsurf',
      'tabnine',
      'amazon-bedrock',
    ];
    for (const id of required) expect(isBuiltinProvider(id), id).toBe(true);
  });
});

describe('providers', () => {
  it('lists every provider with its display name', () => {
    expect(PROVIDERS.map((p) => p.id)).toEqual(BUILTIN_PROVIDERS.map((p) => p.id));
    expect(PROVIDERS.find((p) => p.id === 'github-copilot')?.displayName).toBe('GitHub Copilot');
  });

  it('names built-in providers and falls back to the id for org-defined ones', () => {
    expect(providerDisplayName('azure-openai')).toBe('Azure OpenAI');
    expect(providerDisplayName('xai')).toBe('xAI');
    expect(providerDisplayName('corp-gateway')).toBe('corp-gateway');
    expect(providerDisplayName('constructor')).toBe('constructor');
  });
});

import { describe, expect, it } from 'vitest';
import { matchLabel, normalizeHost, splitPattern, validateCatalogueEntry } from './host-pattern.js';
import type { CatalogueEntry } from './types.js';

const valid: CatalogueEntry = {
  host: 'api.example.com',
  match: 'exact',
  provider: 'corp',
  product: 'api',
  category: 'llm-api',
};

describe('normalizeHost', () => {
  it('lower-cases and drops one trailing dot', () => {
    expect(normalizeHost('API.Example.COM.')).toBe('api.example.com');
    expect(normalizeHost('api.example.com')).toBe('api.example.com');
  });
});

describe('splitPattern', () => {
  it('splits at the rightmost wildcard label', () => {
    const split = splitPattern('bedrock-runtime.*.amazonaws.com');
    expect(split.tail).toBe('amazonaws.com');
    expect(split.tailLabels).toBe(2);
    expect(split.head).toEqual([
      { wildcard: false, prefix: 'bedrock-runtime', suffix: '' },
      { wildcard: true, prefix: '', suffix: '' },
    ]);
  });

  it('keeps a literal pattern whole', () => {
    expect(splitPattern('api.openai.com')).toEqual({ tail: 'api.openai.com', tailLabels: 3, head: [] });
  });
});

describe('matchLabel', () => {
  const region = splitPattern('*-aiplatform.googleapis.com').head[0];
  it('matches inside one label', () => {
    if (!region) throw new Error('no head');
    expect(matchLabel(region, 'us-central1-aiplatform')).toBe(true);
    expect(matchLabel(region, 'aiplatform')).toBe(false);
    expect(matchLabel(region, 'us-central1-aiplatformx')).toBe(false);
  });
});

describe('validateCatalogueEntry', () => {
  it('accepts good entries, including wildcard labels', () => {
    expect(validateCatalogueEntry(valid)).toBeNull();
    expect(validateCatalogueEntry({ ...valid, host: 'Gw.Corp.Example.' })).toBeNull();
    expect(validateCatalogueEntry({ ...valid, host: '*.corp.example', match: 'suffix' })).toBeNull();
    expect(validateCatalogueEntry({ ...valid, host: 'llm-*.corp.example' })).toBeNull();
    expect(validateCatalogueEntry({ ...valid, host: 'localhost' })).toBeNull();
  });

  it.each([
    [{ host: '' }, /1-253/],
    [{ host: 'a'.repeat(254) }, /1-253/],
    [{ host: 'under score!.example.com' }, /invalid label/],
    [{ host: '-lead.example.com' }, /invalid label/],
    [{ host: 'a.*x*.example.com' }, /at most one/],
    [{ host: '*.com' }, /two literal labels/],
    [{ host: 'example.*' }, /two literal labels/],
    [{ host: 'com', match: 'suffix' }, /at least two labels/],
    [{ match: 'prefix' }, /match must be/],
    [{ provider: 'OpenAI' }, /lowercase id/],
    [{ product: 'browser' }, /product must be/],
    [{ category: 'x'.repeat(65) }, /category/],
  ])('rejects %j', (patch, message) => {
    expect(validateCatalogueEntry({ ...valid, ...patch } as CatalogueEntry)).toMatch(message);
  });
});

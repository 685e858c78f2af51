import { describe, expect, it } from 'vitest';
import { CatalogueEntryError, createCatalogue, defaultCatalogue } from './catalogue.js';
import type { CatalogueEntry, Product } from './types.js';

const entry = (
  host: string,
  match: 'exact' | 'suffix',
  provider: string,
  product: Product = 'api',
  category = 'llm-api',
): CatalogueEntry => ({ host, match, provider, product, category });

describe('defaultCatalogue', () => {
  it.each([
    ['api.openai.com', 'openai', 'api'],
    ['eu.api.openai.com', 'openai', 'api'],
    ['chatgpt.com', 'openai', 'chat-app'],
    ['chat.openai.com', 'openai', 'chat-app'],
    ['sora.chatgpt.com', 'openai', 'chat-app'],
    ['ab.chatgpt.com', 'openai', 'chat-app'],
    ['api.anthropic.com', 'anthropic', 'api'],
    ['claude.ai', 'anthropic', 'chat-app'],
    ['contoso.openai.azure.com', 'azure-openai', 'api'],
    ['contoso.cognitiveservices.azure.com', 'azure-openai', 'api'],
    ['contoso.services.ai.azure.com', 'azure-openai', 'api'],
    ['us-central1-aiplatform.googleapis.com', 'google-vertex', 'api'],
    ['europe-west4-aiplatform.googleapis.com', 'google-vertex', 'api'],
    ['aiplatform.googleapis.com', 'google-vertex', 'api'],
    ['generativelanguage.googleapis.com', 'gemini', 'api'],
    ['gemini.google.com', 'gemini', 'chat-app'],
    ['cloudcode-pa.googleapis.com', 'gemini', 'coding-assistant'],
    ['copilot-proxy.githubusercontent.com', 'github-copilot', 'coding-assistant'],
    ['api.githubcopilot.com', 'github-copilot', 'coding-assistant'],
    ['proxy.business.githubcopilot.com', 'github-copilot', 'coding-assistant'],
    ['copilot.microsoft.com', 'microsoft-copilot', 'chat-app'],
    ['sydney.bing.com', 'microsoft-copilot', 'chat-app'],
    ['api.mistral.ai', 'mistral', 'api'],
    ['chat.mistral.ai', 'mistral', 'chat-app'],
    ['api.cohere.com', 'cohere', 'api'],
    ['api.cohere.ai', 'cohere', 'api'],
    ['api.perplexity.ai', 'perplexity', 'api'],
    ['www.perplexity.ai', 'perplexity', 'chat-app'],
    ['perplexity.ai', 'perplexity', 'chat-app'],
    ['api.deepseek.com', 'deepseek', 'api'],
    ['chat.deepseek.com', 'deepseek', 'chat-app'],
    ['api.x.ai', 'xai', 'api'],
    ['grok.com', 'xai', 'chat-app'],
    ['api.groq.com', 'groq', 'api'],
    ['openrouter.ai', 'openrouter', 'api'],
    ['api-inference.huggingface.co', 'huggingface', 'api'],
    ['router.huggingface.co', 'huggingface', 'api'],
    ['api2.cursor.sh', 'cursor', 'coding-assistant'],
    ['repo42.cursor.sh', 'cursor', 'coding-assistant'],
    ['api.together.xyz', 'together', 'api'],
    ['api.fireworks.ai', 'fireworks', 'api'],
    ['api.replicate.com', 'replicate', 'api'],
    ['server.codeium.com', 'windsurf', 'coding-assistant'],
    ['api.tabnine.com', 'tabnine', 'coding-assistant'],
    ['bedrock-runtime.us-east-1.amazonaws.com', 'amazon-bedrock', 'api'],
    ['bedrock-runtime-fips.us-gov-west-1.amazonaws.com', 'amazon-bedrock', 'api'],
  ])('%s → %s/%s', (host, provider, product) => {
    expect(defaultCatalogue.classify(host)).toMatchObject({ provider, product });
  });

  it('ignores case and a trailing dot', () => {
    const expected = { provider: 'openai', product: 'api', category: 'llm-api' };
    expect(defaultCatalogue.classify('API.OpenAI.COM')).toEqual(expected);
    expect(defaultCatalogue.classify('api.openai.com.')).toEqual(expected);
    expect(defaultCatalogue.classify('Api.OpenAI.com.')).toEqual(expected);
  });

  it.each([
    'evilapi.openai.com.attacker.net',
    'api.openai.com.attacker.net',
    'xapi.openai.com',
    'notopenai.com',
    'notchatgpt.com',
    'chatgpt.com.evil.io',
    'notclaude.ai',
    'fakecursor.sh',
    'cursor.sh.evil.com',
    'contoso.openai.azure.com.evil.net',
    'us-central1-aiplatform.googleapis.com.evil.com',
    'us-central1-aiplatform.evil.com',
    'x.aiplatform.googleapis.com',
    'x.bedrock-runtime.us-east-1.amazonaws.com',
    'bedrock-runtime.us-east-1.amazonaws.com.evil.com',
    'googleapis.com',
    'maps.googleapis.com',
    's3.amazonaws.com',
    'www.bing.com',
    'github.com',
    'example.com',
    'com',
    '',
    '.',
    '..',
    'api..openai.com',
  ])('does not classify %j', (host) => {
    expect(defaultCatalogue.classify(host)).toBeNull();
  });

  it('lets an exact entry beat a suffix covering the same host', () => {
    expect(defaultCatalogue.classify('ab.chatgpt.com')?.category).toBe('telemetry');
    expect(defaultCatalogue.classify('cd.chatgpt.com')?.category).toBe('chat');
  });

  it('lets the longest suffix win', () => {
    expect(defaultCatalogue.classify('api.perplexity.ai')?.product).toBe('api');
    expect(defaultCatalogue.classify('eu.api.perplexity.ai')?.product).toBe('api');
    expect(defaultCatalogue.classify('labs.perplexity.ai')?.product).toBe('chat-app');
  });

  it('returns frozen results that callers cannot corrupt', () => {
    const result = defaultCatalogue.classify('api.openai.com');
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('classifies fast enough to run per connection', () => {
    const hosts = [
      'api.openai.com',
      'a.b.c.example.com',
      'us-east4-aiplatform.googleapis.com',
      'x.y.cursor.sh',
    ];
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) defaultCatalogue.classify(hosts[i % hosts.length] ?? '');
    // ~20 ms on a laptop; the bound only catches an accidental linear scan or regex loop.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('createCatalogue precedence', () => {
  const catalogue = createCatalogue([
    entry('example.com', 'suffix', 'p-root'),
    entry('b.example.com', 'suffix', 'p-b'),
    entry('a.b.example.com', 'exact', 'p-exact'),
    entry('*.b.example.com', 'suffix', 'p-wild'),
    entry('api.example.net', 'suffix', 'p-literal'),
    entry('*.example.net', 'suffix', 'p-star'),
    entry('*-gw.example.org', 'exact', 'p-region'),
  ]);
  const providerOf = (host: string) => catalogue.classify(host)?.provider ?? null;

  it('prefers exact, then the suffix covering most labels', () => {
    expect(providerOf('a.b.example.com')).toBe('p-exact');
    expect(providerOf('x.a.b.example.com')).toBe('p-wild'); // *.b.example.com covers 4 labels
    expect(providerOf('b.example.com')).toBe('p-b'); // "*" needs a label of its own
    expect(providerOf('z.example.com')).toBe('p-root');
    expect(providerOf('example.com')).toBe('p-root'); // a suffix includes the name itself
  });

  it('prefers a literal label over a wildcard at the same depth', () => {
    expect(providerOf('api.example.net')).toBe('p-literal');
    expect(providerOf('v1.api.example.net')).toBe('p-literal');
    expect(providerOf('web.example.net')).toBe('p-star');
    expect(providerOf('example.net')).toBeNull();
  });

  it('matches a wildcard within one label only', () => {
    expect(providerOf('eu-gw.example.org')).toBe('p-region');
    expect(providerOf('x.eu-gw.example.org')).toBeNull(); // exact: no extra labels
    expect(providerOf('gw.example.org')).toBeNull();
  });
});

describe('createCatalogue with org entries', () => {
  it('overrides a built-in entry for the same host', () => {
    const catalogue = createCatalogue([entry('api.openai.com', 'exact', 'corp-gateway')]);
    expect(catalogue.classify('api.openai.com')?.provider).toBe('corp-gateway');
    expect(catalogue.classify('claude.ai')?.provider).toBe('anthropic');
    expect(defaultCatalogue.classify('api.openai.com')?.provider).toBe('openai');
  });

  it('wins over more specific built-ins, so a re-labelled suffix applies to every subdomain', () => {
    const catalogue = createCatalogue([
      entry('chatgpt.com', 'suffix', 'openai', 'chat-app', 'approved-chat'),
    ]);
    expect(catalogue.classify('ab.chatgpt.com')?.category).toBe('approved-chat');
  });

  it('adds hosts the built-ins do not know', () => {
    const catalogue = createCatalogue([entry('llm.corp.example', 'exact', 'corp-llm')]);
    expect(catalogue.classify('LLM.corp.example.')).toEqual({
      provider: 'corp-llm',
      product: 'api',
      category: 'llm-api',
    });
    expect(catalogue.classify('x.llm.corp.example')).toBeNull();
  });

  it('lets a later org row restate an earlier one', () => {
    const catalogue = createCatalogue([
      entry('gw.corp.example', 'exact', 'first'),
      entry('gw.corp.example', 'exact', 'second'),
    ]);
    expect(catalogue.classify('gw.corp.example')?.provider).toBe('second');
  });

  it('lists org entries first, normalised', () => {
    const catalogue = createCatalogue([entry('GW.Corp.Example.', 'exact', 'corp')]);
    expect(catalogue.entries[0]).toEqual(entry('gw.corp.example', 'exact', 'corp'));
    expect(catalogue.entries.length).toBe(defaultCatalogue.entries.length + 1);
  });

  it.each([
    entry('*.com', 'suffix', 'x'),
    entry('com', 'suffix', 'x'),
    entry('bad host.example', 'exact', 'x'),
    entry('a.**.example.com', 'exact', 'x'),
    entry('ok.example.com', 'exact', 'Not A Slug'),
    entry('ok.example.com', 'exact', 'x', 'desktop' as Product),
    entry('ok.example.com', 'exact', 'x', 'api', ''),
  ])('rejects invalid entry %j', (bad) => {
    expect(() => createCatalogue([bad])).toThrow(CatalogueEntryError);
  });
});

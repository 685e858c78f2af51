import { BUILTIN_ENTRIES } from '@toktra/core';
import { describe, expect, it } from 'vitest';
import { blockDomains, matchPatterns } from './hosts.js';
import { RequestTracker, uploadSize } from './record.js';

const begin = (t: RequestTracker, url: string, extra: Record<string, unknown> = {}) =>
  t.begin({ requestId: 'r1', url, method: 'POST', timeStamp: 1_000, type: 'xmlhttprequest', ...extra });

describe('RequestTracker', () => {
  it('turns a request into metadata: host, path class, model, sizes, timing — no URL', () => {
    const t = new RequestTracker();
    const body = new TextEncoder().encode('{"messages":[{"content":"secret prompt"}]}').buffer as ArrayBuffer;
    expect(
      begin(t, 'https://api.openai.com/v1/chat/completions?user=secret', {
        requestBody: { raw: [{ bytes: body }] },
      }),
    ).toBe(true);
    t.headers({
      requestId: 'r1',
      statusCode: 200,
      responseHeaders: [
        { name: 'content-length', value: '5000' },
        { name: 'openai-model', value: 'gpt-4o' },
      ],
    });
    const record = t.end({ requestId: 'r1', timeStamp: 1_750, statusCode: 200 });
    expect(record).toMatchObject({
      host: 'api.openai.com',
      path_class: 'chat',
      method: 'POST',
      model: 'gpt-4o',
      status_code: 200,
      bytes_up: body.byteLength,
      bytes_down: 5000,
      duration_ms: 750,
    });
    expect(JSON.stringify(record)).not.toMatch(/secret|completions|\?/);
  });

  it('ignores hosts outside the catalogue, plain http and CORS preflights', () => {
    const t = new RequestTracker();
    expect(begin(t, 'https://news.example.com/v1/chat/completions')).toBe(false);
    expect(begin(t, 'http://api.openai.com/v1/chat/completions')).toBe(false);
    expect(begin(t, 'https://api.openai.com/v1/chat/completions', { method: 'OPTIONS' })).toBe(false);
    expect(t.end({ requestId: 'r1', timeStamp: 2_000 })).toBeNull();
  });

  it('reports nothing for a request our own rules blocked', () => {
    const t = new RequestTracker();
    begin(t, 'https://api.openai.com/v1/embeddings');
    expect(t.end({ requestId: 'r1', timeStamp: 1_001, error: 'net::ERR_BLOCKED_BY_CLIENT' })).toBeNull();
  });

  it('measures an upload by length only', () => {
    expect(uploadSize(null)).toBeNull();
    expect(
      uploadSize({
        raw: [{ bytes: new ArrayBuffer(10) }, { file: '/tmp/x' }, { bytes: new ArrayBuffer(5) }],
      }),
    ).toBe(15);
  });
});

describe('catalogue hosts', () => {
  it('lists exactly the catalogue (suffix entries with their subdomains), https only', () => {
    const patterns = matchPatterns();
    expect(patterns).toContain('https://api.openai.com/*');
    expect(patterns).toContain('https://*.api.openai.com/*');
    expect(patterns.every((p) => p.startsWith('https://'))).toBe(true);
    expect(patterns.some((p) => p.includes('*-') || p.includes('.*.'))).toBe(false);
    const hosts = new Set(BUILTIN_ENTRIES.filter((e) => !e.host.includes('*')).map((e) => e.host));
    for (const p of patterns)
      expect(hosts.has(p.replace('https://', '').replace('*.', '').replace('/*', ''))).toBe(true);
    expect(blockDomains()).toEqual([...hosts].sort());
  });
});

import { describe, expect, it } from 'vitest';
import { BUILTIN_PROVIDERS } from '../catalogue/builtin-catalogue.js';
import type { Product } from '../catalogue/types.js';
import { PRODUCTS } from '../catalogue/types.js';
import { DEFAULT_RATIOS, PROVIDER_RATIOS, QUIC_ADJUSTMENT } from './default-ratios.js';
import { estimateTokens } from './estimate-tokens.js';
import type { EstimateInput } from './types.js';

const openaiApi = (bytesUp: number, bytesDown: number, extra: Partial<EstimateInput> = {}) =>
  estimateTokens({ provider: 'openai', product: 'api', transport: 'tcp', bytesUp, bytesDown, ...extra });

describe('estimateTokens', () => {
  it('subtracts the overhead and divides by bytes-per-token, per direction', () => {
    // up: (6000 − 1800) / 4 = 1050; down: (72000 − 5500) / 330 = 201.5 → 202
    expect(openaiApi(6_000, 72_000)).toEqual({
      inputTokens: 1050,
      outputTokens: 202,
      method: 'bytes:v1:openai/api',
    });
  });

  it('gives zero below the per-connection overhead', () => {
    expect(openaiApi(1_800, 5_500)).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect(openaiApi(0, 0)).toMatchObject({ inputTokens: 0, outputTokens: 0 });
  });

  it('estimates a later exchange on a connection without the handshake share of the overhead', () => {
    const first = openaiApi(6_000, 72_000);
    const later = openaiApi(6_000, 72_000, { followUp: true });
    // up: (6000 − (1800 − 1200)) / 4 = 1350; down: (72000 − (5500 − 3500)) / 330 ≈ 212
    expect(later).toEqual({ inputTokens: 1350, outputTokens: 212, method: 'bytes:v1:openai/api+followup' });
    expect(later.inputTokens).toBeGreaterThan(first.inputTokens);
    // Never a negative overhead: a provider whose overhead is below the handshake share keeps 0.
    const tiny = estimateTokens(
      { provider: 'openai', product: 'api', transport: 'tcp', bytesUp: 400, bytesDown: 0, followUp: true },
      { openai: { up: { overheadBytes: 100, bytesPerToken: 4 } } },
    );
    expect(tiny.inputTokens).toBe(100);
  });

  it('uses each direction its own ratio', () => {
    const up = openaiApi(50_000, 0);
    const down = openaiApi(0, 50_000);
    expect(up.outputTokens).toBe(0);
    expect(down.inputTokens).toBe(0);
    // Streamed output costs ~80× more bytes per token than a JSON prompt.
    expect(up.inputTokens).toBeGreaterThan(50 * down.outputTokens);
  });

  it('uses each provider its own ratio', () => {
    const bytes = { product: 'api' as const, transport: 'tcp' as const, bytesUp: 40_000, bytesDown: 100_000 };
    const openai = estimateTokens({ provider: 'openai', ...bytes });
    const anthropic = estimateTokens({ provider: 'anthropic', ...bytes });
    const gemini = estimateTokens({ provider: 'gemini', ...bytes });
    // Padded one-token OpenAI chunks vs multi-token Anthropic deltas vs large Gemini chunks.
    expect(anthropic.outputTokens).toBeGreaterThan(5 * openai.outputTokens);
    expect(gemini.outputTokens).toBeGreaterThan(anthropic.outputTokens);
    // Claude's tokenizer yields more tokens for the same prompt bytes.
    expect(anthropic.inputTokens).toBeGreaterThan(openai.inputTokens);
    expect(anthropic.method).toBe('bytes:v1:anthropic/api');
  });

  it('uses each product its own ratio', () => {
    const base = { provider: 'openai', transport: 'tcp' as const, bytesUp: 200_000, bytesDown: 400_000 };
    const api = estimateTokens({ ...base, product: 'api' });
    const chat = estimateTokens({ ...base, product: 'chat-app' });
    expect(chat.method).toBe('bytes:v1:default/chat-app');
    expect(chat).not.toEqual(api);
  });

  it('names listed providers and falls back to the product default for others', () => {
    const input = { product: 'api' as const, transport: 'tcp' as const, bytesUp: 9_000, bytesDown: 30_000 };
    const mistral = estimateTokens({ provider: 'mistral', ...input });
    const corp = estimateTokens({ provider: 'corp-gateway', ...input });
    expect(mistral.method).toBe('bytes:v1:mistral/api');
    expect(corp.method).toBe('bytes:v1:default/api');
    expect(corp.inputTokens).toBe(mistral.inputTokens);
    expect(estimateTokens({ provider: 'constructor', ...input }).method).toBe('bytes:v1:default/api');
  });

  it('is monotonic in each direction for every provider and product', () => {
    const providers = [...BUILTIN_PROVIDERS.map((p) => p.id), 'unknown'];
    const problems: string[] = [];
    for (const provider of providers) {
      for (const product of PRODUCTS) {
        for (const transport of ['tcp', 'quic'] as const) {
          const at = `${provider}/${product}/${transport}`;
          let lastIn = -1;
          let lastOut = -1;
          for (let bytes = 0; bytes <= 2_000_000; bytes += 7_919) {
            const e = estimateTokens({ provider, product, transport, bytesUp: bytes, bytesDown: 10_000 });
            const d = estimateTokens({ provider, product, transport, bytesUp: 10_000, bytesDown: bytes });
            if (e.inputTokens < lastIn) problems.push(`${at}: input fell at ${bytes} B`);
            if (d.outputTokens < lastOut) problems.push(`${at}: output fell at ${bytes} B`);
            lastIn = e.inputTokens;
            lastOut = d.outputTokens;
          }
          if (lastIn <= 0 || lastOut <= 0) problems.push(`${at}: no tokens from 2 MB`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('returns non-negative integers even for impossible input', () => {
    for (const bytes of [-1, -1e9, Number.NaN, Number.POSITIVE_INFINITY, 0.5, 123_456.789]) {
      const e = openaiApi(bytes, bytes);
      for (const n of [e.inputTokens, e.outputTokens]) {
        expect(Number.isInteger(n)).toBe(true);
        expect(n).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('adds QUIC handshake overhead and removes client ACK bytes from upstream', () => {
    const tcp = openaiApi(30_000, 300_000, { product: 'chat-app' });
    const quic = openaiApi(30_000, 300_000, { product: 'chat-app', transport: 'quic' });
    expect(quic.method).toBe('bytes:v1:default/chat-app@quic');
    expect(quic.inputTokens).toBeLessThan(tcp.inputTokens);
    expect(quic.outputTokens).toBeLessThan(tcp.outputTokens);
    const up = DEFAULT_RATIOS['chat-app'].up;
    const expectedIn = Math.round(
      (30_000 - QUIC_ADJUSTMENT.ackBytesPerDownByte * 300_000 - up.overheadBytes - 2000) / up.bytesPerToken,
    );
    expect(quic.inputTokens).toBe(Math.max(0, expectedIn));
    // More download means more ACKs upstream, hence fewer inferred input tokens.
    const moreDown = openaiApi(60_000, 900_000, { product: 'chat-app', transport: 'quic' });
    const lessDown = openaiApi(60_000, 300_000, { product: 'chat-app', transport: 'quic' });
    expect(moreDown.inputTokens).toBeLessThan(lessDown.inputTokens);
  });

  it('gives telemetry hosts no tokens', () => {
    expect(openaiApi(500_000, 500_000, { product: 'chat-app', category: 'telemetry' })).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      method: 'bytes:v1:telemetry',
    });
  });
});

describe('estimateTokens with calibrated overrides', () => {
  const calibrated = {
    up: { overheadBytes: 1000, bytesPerToken: 5 },
    down: { overheadBytes: 2000, bytesPerToken: 100 },
  };

  it('uses both calibrated directions and says so', () => {
    const e = estimateTokens(
      { provider: 'openai', product: 'api', transport: 'tcp', bytesUp: 11_000, bytesDown: 12_000 },
      { openai: calibrated },
    );
    expect(e).toEqual({ inputTokens: 2000, outputTokens: 100, method: 'bytes:calibrated:openai' });
  });

  it('keeps the default for a direction the override leaves out', () => {
    const input = { provider: 'openai', product: 'api' as const, transport: 'tcp' as const };
    const e = estimateTokens(
      { ...input, bytesUp: 11_000, bytesDown: 72_000 },
      { openai: { up: calibrated.up } },
    );
    expect(e).toEqual({ inputTokens: 2000, outputTokens: 202, method: 'bytes:calibrated-up:openai' });
    const d = estimateTokens(
      { ...input, bytesUp: 6_000, bytesDown: 12_000 },
      { openai: { down: calibrated.down } },
    );
    expect(d).toEqual({ inputTokens: 1050, outputTokens: 100, method: 'bytes:calibrated-down:openai' });
  });

  it('applies a bare provider key to the API only, never to the chat app', () => {
    const chat = { provider: 'openai', product: 'chat-app' as Product, transport: 'tcp' as const };
    const bytes = { bytesUp: 200_000, bytesDown: 900_000 };
    expect(estimateTokens({ ...chat, ...bytes }, { openai: calibrated }).method).toBe(
      'bytes:v1:default/chat-app',
    );
    const scoped = estimateTokens({ ...chat, ...bytes }, { 'openai/chat-app': calibrated });
    expect(scoped.method).toBe('bytes:calibrated:openai/chat-app');
    expect(scoped.inputTokens).toBe((200_000 - 1000) / 5);
  });

  it('prefers a provider/api key over the bare provider key', () => {
    const e = estimateTokens(
      { provider: 'openai', product: 'api', transport: 'tcp', bytesUp: 11_000, bytesDown: 12_000 },
      { openai: { up: { overheadBytes: 0, bytesPerToken: 1 } }, 'openai/api': calibrated },
    );
    expect(e.method).toBe('bytes:calibrated:openai/api');
  });

  it('still applies the QUIC adjustment on top of calibrated ratios', () => {
    const e = estimateTokens(
      { provider: 'openai', product: 'api', transport: 'quic', bytesUp: 11_000, bytesDown: 12_000 },
      { openai: calibrated },
    );
    expect(e.method).toBe('bytes:calibrated:openai@quic');
    expect(e.outputTokens).toBe(Math.round((12_000 - 2000 - 1000) / 100));
  });

  it('ignores overrides outside sane bounds or of the wrong shape', () => {
    const junk = [
      { up: { overheadBytes: 0, bytesPerToken: 0 } },
      { up: { overheadBytes: -5, bytesPerToken: 4 } },
      { up: { overheadBytes: Number.NaN, bytesPerToken: 4 } },
      { down: { overheadBytes: 100, bytesPerToken: 1e9 } },
      { up: 'fast' },
      {},
    ];
    for (const override of junk) {
      const e = estimateTokens(
        { provider: 'openai', product: 'api', transport: 'tcp', bytesUp: 6_000, bytesDown: 72_000 },
        // @ts-expect-error: stored JSON can hold anything
        { openai: override },
      );
      expect(e.method, JSON.stringify(override)).toBe('bytes:v1:openai/api');
    }
  });
});

describe('default ratio table', () => {
  it('holds only positive, finite numbers and a row for every product', () => {
    const rows = [
      ...Object.values(DEFAULT_RATIOS),
      ...Object.values(PROVIDER_RATIOS).flatMap((byProduct) => Object.values(byProduct)),
    ];
    for (const row of rows) {
      for (const r of [row.up, row.down]) {
        expect(Number.isFinite(r.overheadBytes) && r.overheadBytes >= 0).toBe(true);
        expect(Number.isFinite(r.bytesPerToken) && r.bytesPerToken > 0).toBe(true);
      }
    }
    for (const product of PRODUCTS) expect(DEFAULT_RATIOS[product]).toBeDefined();
  });

  it('only has rows for providers the catalogue knows', () => {
    const known = new Set(BUILTIN_PROVIDERS.map((p) => p.id));
    for (const provider of Object.keys(PROVIDER_RATIOS)) expect(known.has(provider), provider).toBe(true);
  });
});

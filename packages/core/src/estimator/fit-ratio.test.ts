import { describe, expect, it } from 'vitest';
import { estimateTokens } from './estimate-tokens.js';
import type { RatioSample } from './fit-ratio.js';
import { fitRatio } from './fit-ratio.js';

/** Deterministic PRNG (mulberry32) so the synthetic data, and the test, never flake. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Hourly windows: 1-60 connections; each window has its own typical request size (100-5,000
 * tokens, log-uniform: quick completions one hour, long agent runs the next), which is what lets
 * overhead and bytes-per-token be told apart. Bytes are the truth plus ±noise.
 */
function synthesise(
  truth: { overheadBytes: number; bytesPerToken: number },
  n: number,
  noise: number,
  seed = 7,
) {
  const random = rng(seed);
  const samples: RatioSample[] = [];
  for (let i = 0; i < n; i++) {
    const connections = 1 + Math.floor(random() * 60);
    const typical = 100 * 50 ** random();
    let tokens = 0;
    for (let c = 0; c < connections; c++) tokens += Math.round(typical * (0.5 + random()));
    const exact = truth.overheadBytes * connections + truth.bytesPerToken * tokens;
    samples.push({ bytes: Math.round(exact * (1 + (random() * 2 - 1) * noise)), tokens, connections });
  }
  return samples;
}

describe('fitRatio', () => {
  it('recovers exact parameters from noise-free data', () => {
    const fit = fitRatio([
      { bytes: 995_000, tokens: 3_000, connections: 1 },
      { bytes: 1_990_000, tokens: 6_000, connections: 2 },
      { bytes: 675_000, tokens: 2_000, connections: 3 },
    ]);
    expect(fit).toEqual({ overheadBytes: 5000, bytesPerToken: 330 });
  });

  it.each([
    { overheadBytes: 5500, bytesPerToken: 330 }, // OpenAI-like streaming output
    { overheadBytes: 7000, bytesPerToken: 35 }, // Anthropic-like streaming output
    { overheadBytes: 1800, bytesPerToken: 4 }, // prompt upload
  ])('recovers %j from noisy hourly windows', (truth) => {
    const fit = fitRatio(synthesise(truth, 200, 0.05));
    expect(fit).not.toBeNull();
    expect(Math.abs((fit?.bytesPerToken ?? 0) / truth.bytesPerToken - 1)).toBeLessThan(0.02);
    // Overhead is a small share of the bytes, so it is the noisier parameter.
    expect(Math.abs((fit?.overheadBytes ?? 0) / truth.overheadBytes - 1)).toBeLessThan(0.35);
  });

  it('makes a calibrated estimator match the reported totals', () => {
    const truth = { overheadBytes: 6200, bytesPerToken: 280 };
    const windows = synthesise(truth, 150, 0.1, 42);
    const fit = fitRatio(windows);
    if (!fit) throw new Error('expected a fit');
    let estimated = 0;
    let reported = 0;
    for (const w of windows) {
      // Spread a window's bytes evenly over its connections, as the per-connection estimator sees them.
      const perConnection = w.bytes / w.connections;
      const e = estimateTokens(
        { provider: 'openai', product: 'api', transport: 'tcp', bytesUp: 0, bytesDown: perConnection },
        { openai: { down: fit } },
      );
      estimated += e.outputTokens * w.connections;
      reported += w.tokens;
    }
    expect(Math.abs(estimated / reported - 1)).toBeLessThan(0.02);
  });

  it('clamps a negative overhead to zero and refits the slope', () => {
    // Pure proportional data plus noise that tilts the free fit below zero overhead.
    const fit = fitRatio([
      { bytes: 990, tokens: 100, connections: 10 },
      { bytes: 2_050, tokens: 200, connections: 1 },
      { bytes: 2_980, tokens: 300, connections: 20 },
      { bytes: 4_020, tokens: 400, connections: 2 },
    ]);
    expect(fit?.overheadBytes).toBe(0);
    expect(fit?.bytesPerToken).toBeCloseTo(10, 0);
  });

  it('returns null with too little data', () => {
    expect(fitRatio([])).toBeNull();
    expect(
      fitRatio([
        { bytes: 50_000, tokens: 150, connections: 1 },
        { bytes: 90_000, tokens: 280, connections: 2 },
      ]),
    ).toBeNull();
    // Enough windows, but too few tokens overall.
    expect(
      fitRatio([
        { bytes: 9_000, tokens: 10, connections: 1 },
        { bytes: 9_400, tokens: 12, connections: 1 },
        { bytes: 9_900, tokens: 15, connections: 1 },
      ]),
    ).toBeNull();
    expect(
      fitRatio(
        synthesise({ overheadBytes: 5000, bytesPerToken: 300 }, 20, 0.05).map((s) => ({ ...s, tokens: 0 })),
      ),
    ).toBeNull();
  });

  it('returns null when overhead and bytes-per-token cannot be separated', () => {
    // Every connection carries exactly 500 tokens: tokens ∝ connections.
    const collinear = [1, 2, 3, 5, 8].map((c) => ({
      bytes: c * (5000 + 500 * 330),
      tokens: 500 * c,
      connections: c,
    }));
    expect(fitRatio(collinear)).toBeNull();
  });

  it('returns null for an implausible bytes-per-token', () => {
    const tiny = [1, 2, 3, 4].map((c) => ({ bytes: 10 * c, tokens: 1000 * c + 7 * c * c, connections: c }));
    expect(fitRatio(tiny)).toBeNull();
  });

  it('skips impossible rows instead of failing', () => {
    const good = synthesise({ overheadBytes: 5000, bytesPerToken: 300 }, 50, 0.02);
    const fit = fitRatio([
      ...good,
      { bytes: Number.NaN, tokens: 5, connections: 1 },
      { bytes: -1, tokens: 5, connections: 1 },
      { bytes: 1e6, tokens: Number.POSITIVE_INFINITY, connections: 1 },
    ]);
    expect(fit).toEqual(fitRatio(good));
  });
});

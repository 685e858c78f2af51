import { describe, expect, it } from 'vitest';
import { isModelAllowedForTier, requiredTierForModel, tierForScore } from './model-tiers.js';
import { pseudonymFor } from './pseudonym.js';
import { coachingTips, computeEfficiency, trendIndicator } from './score.js';

const base = {
  events: 20,
  input_tokens: 10_000,
  output_tokens: 5_000,
  model_known_tokens: 0,
  premium_tokens: 0,
  burst_events: 0,
  resend_events: 0,
};

describe('computeEfficiency (hand-checked)', () => {
  it('gives 100 to a clean profile: yield at target, no bursts, no re-sends, no known model', () => {
    expect(computeEfficiency(base)).toEqual({
      score: 100,
      components: { output_yield: 1, model_fit: null, burst_discipline: 1, context_hygiene: 1 },
    });
  });

  it('weights the measured components: 0.4·0.4 + 0.2·0.5 + 0.2·0.5 + 0.2·0.8 = 0.52', () => {
    // output/input = 0.2 → 0.2/0.5 = 0.4; premium 50 % → 0.5; bursts 5/20 → 1 − 0.5; re-sends 2/20 → 0.8.
    const result = computeEfficiency({
      ...base,
      output_tokens: 2_000,
      model_known_tokens: 8_000,
      premium_tokens: 4_000,
      burst_events: 5,
      resend_events: 2,
    });
    expect(result.components).toEqual({
      output_yield: 0.4,
      model_fit: 0.5,
      burst_discipline: 0.5,
      context_hygiene: 0.8,
    });
    expect(result.score).toBe(52);
  });

  it('re-normalises when model_fit is unknown: (0.4·0.4 + 0.2·0.5 + 0.2·0.8) / 0.8 = 0.525 → 53', () => {
    const result = computeEfficiency({ ...base, output_tokens: 2_000, burst_events: 5, resend_events: 2 });
    expect(result.score).toBe(53);
  });

  it('has no score below five calls', () => {
    expect(computeEfficiency({ ...base, events: 4 }).score).toBeNull();
  });

  it('suggests coaching for weak components only', () => {
    const { components } = computeEfficiency({ ...base, output_tokens: 1_000, burst_events: 8 });
    expect(coachingTips(components)).toEqual([
      'Large inputs for little output: trim pasted context and ask narrower questions.',
      'Many rapid retries: wait for answers and back off instead of resending.',
    ]);
  });

  it('marks trends of three points or more', () => {
    expect(trendIndicator(70, 66)).toBe('up');
    expect(trendIndicator(70, 73)).toBe('down');
    expect(trendIndicator(70, 72)).toBe('flat');
    expect(trendIndicator(70, null)).toBe('new');
  });
});

describe('model tiers', () => {
  it('maps scores to tiers at 50 and 75, and starts the unscored at advanced', () => {
    expect([null, 0, 49, 50, 74, 75, 100].map(tierForScore)).toEqual([
      'advanced',
      'standard',
      'standard',
      'advanced',
      'advanced',
      'premium',
      'premium',
    ]);
  });

  it('maps models to the tier they need', () => {
    expect(requiredTierForModel('gpt-4o-mini')).toBe('standard');
    expect(requiredTierForModel('claude-3-5-haiku-20241022')).toBe('standard');
    expect(requiredTierForModel('gpt-4o')).toBe('advanced');
    expect(requiredTierForModel('claude-sonnet-4-5')).toBe('advanced');
    expect(requiredTierForModel('o3-pro')).toBe('premium');
    expect(requiredTierForModel('claude-opus-4-1')).toBe('premium');
    expect(requiredTierForModel('some-new-model')).toBe('standard');
    // "gemini" contains "mini": the small-variant words count only as whole words.
    expect(requiredTierForModel('gemini-2.5-pro')).toBe('premium');
    expect(requiredTierForModel('gemini-1.5-pro-002')).toBe('advanced');
    expect(requiredTierForModel('gemini-2.5-flash')).toBe('standard');
    expect(requiredTierForModel('gemini-2.0-flash-lite')).toBe('standard');
    expect(requiredTierForModel(null)).toBe('standard');
  });

  it('allows a model when the tier is at least the one it needs', () => {
    expect(isModelAllowedForTier('claude-opus-4-1', 'advanced')).toBe(false);
    expect(isModelAllowedForTier('claude-opus-4-1', 'premium')).toBe(true);
    expect(isModelAllowedForTier('gpt-4o', 'standard')).toBe(false);
    expect(isModelAllowedForTier('gpt-4o', 'advanced')).toBe(true);
    expect(isModelAllowedForTier('gpt-4o-mini', 'standard')).toBe(true);
    expect(isModelAllowedForTier(undefined, 'standard')).toBe(true);
  });
});

describe('pseudonymFor', () => {
  it('is stable per secret and user, differs across secrets, and never contains the id', () => {
    const secret = Buffer.alloc(32, 7);
    const id = '0190a0f2-0000-7000-8000-000000000001';
    const name = pseudonymFor(secret, id);
    expect(name).toMatch(/^[A-Z][a-z]+-[0-9A-F]{4}$/);
    expect(pseudonymFor(secret, id)).toBe(name);
    expect(pseudonymFor(Buffer.alloc(32, 8), id)).not.toBe(name);
    expect(pseudonymFor(secret, '0190a0f2-0000-7000-8000-000000000002')).not.toBe(name);
  });
});

import { MODEL_TIER_RULES, MODEL_TIERS, type ModelTier, requiredTierForModel } from '@toktra/core';
import { describe, expect, it } from 'vitest';
import { modelUrlRegex, type PreflightAnswer, rulesFor } from './blocking.js';

const answer = (tier: ModelTier, overrides: Partial<PreflightAnswer> = {}): PreflightAnswer => ({
  allow: true,
  code: 'ok',
  reason: 'ok',
  remaining_tokens: null,
  budget_id: null,
  period: '2026-11',
  tier,
  model_rules: MODEL_TIER_RULES.map((r) => ({
    pattern: r.pattern.source,
    allowed: MODEL_TIERS.indexOf(r.tier) <= MODEL_TIERS.indexOf(tier),
  })),
  ttl_seconds: 10,
  exemption_url: 'https://toktra.example/portal',
  ...overrides,
});

/** What Chrome would do with the rules for a URL: the highest-priority matching rule wins. */
function verdict(rules: ReturnType<typeof rulesFor>, url: string): string {
  const matching = rules
    .filter((r) => (r.condition.regexFilter ? new RegExp(r.condition.regexFilter, 'i').test(url) : true))
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0));
  return matching[0]?.action.type ?? 'none';
}

const azure = (model: string) =>
  `https://acme.openai.azure.com/openai/deployments/${model}/chat/completions?x=1`;
const gemini = (model: string) =>
  `https://generativelanguage.googleapis.com/v1beta/models/${model}:generateContent`;

describe('rulesFor', () => {
  it('blocks every AI domain when the answer is a denial, redirecting pages to the notice', () => {
    const rules = rulesFor(answer('premium', { allow: false, code: 'hard_cap' }), [
      'openai.com',
      'chatgpt.com',
    ]);
    expect(rules.map((r) => r.action.type)).toEqual(['redirect', 'block']);
    expect(rules[0]?.action.redirect?.extensionPath).toBe('/blocked.html');
    expect(rules[0]?.condition.resourceTypes).toEqual(['main_frame']);
    expect(rules.every((r) => r.condition.requestDomains?.includes('chatgpt.com'))).toBe(true);
  });

  it('installs nothing for a premium user (every model allowed)', () => {
    expect(rulesFor(answer('premium'), ['openai.com'])).toEqual([]);
  });

  it('decides like the server: the first tier rule that matches the model wins', () => {
    for (const tier of MODEL_TIERS) {
      const rules = rulesFor(answer(tier), ['openai.azure.com']);
      for (const model of [
        'o3',
        'o3-pro',
        'gpt-4o',
        'gpt-4o-mini',
        'claude-opus-4',
        'gpt-5',
        'llama-3.1-8b',
        'o1-mini',
      ]) {
        const allowed = MODEL_TIERS.indexOf(requiredTierForModel(model)) <= MODEL_TIERS.indexOf(tier);
        const got = verdict(rules, azure(model));
        expect(got === 'block' ? 'blocked' : 'allowed', `${tier} ${model}`).toBe(
          allowed ? 'allowed' : 'blocked',
        );
      }
    }
  });

  it('reads models from Gemini paths and ?model= too, and leaves URLs without a model alone', () => {
    const rules = rulesFor(answer('standard'), ['googleapis.com']);
    expect(verdict(rules, gemini('gemini-2.5-flash'))).toBe('allow');
    expect(verdict(rules, gemini('gemini-2.5-pro'))).toBe('block');
    expect(verdict(rules, 'https://api.example.ai/v1/generate?model=o3')).toBe('block');
    expect(verdict(rules, 'https://api.openai.com/v1/chat/completions')).toBe('none');
  });

  it('anchors patterns at the model segment', () => {
    expect(new RegExp(modelUrlRegex('^(o1|o3)(-|$)')).test(azure('o3'))).toBe(true);
    expect(new RegExp(modelUrlRegex('^(o1|o3)(-|$)')).test(azure('foo3'))).toBe(false);
    expect(new RegExp(modelUrlRegex('^(o1|o3)(-|$)')).test(azure('o3x'))).toBe(false);
  });
});

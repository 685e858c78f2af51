export const MODEL_TIERS = ['standard', 'advanced', 'premium'] as const;
export type ModelTier = (typeof MODEL_TIERS)[number];

/**
 * Which tier a model needs, as data: the first pattern that matches the lowercased model name
 * wins (so specific rows go before general ones). A model no row matches needs `standard`, so
 * an unknown or small model is never blocked by tiers alone.
 */
export const MODEL_TIER_RULES: ReadonlyArray<{ pattern: RegExp; tier: ModelTier }> = [
  // Small, cheap variants of any family first — as whole words, so "gemini" is not a "mini".
  { pattern: /\b(mini|nano|haiku|flash|lite|small|tiny|instant)\b/, tier: 'standard' },
  // Flagship reasoning and largest models.
  { pattern: /^(o1|o1-pro|o3|o3-pro)(-|$)/, tier: 'premium' },
  { pattern: /^gpt-4\.5|^gpt-5(\.\d)?-pro|^gpt-4-32k/, tier: 'premium' },
  { pattern: /claude-(3-)?opus|claude-opus/, tier: 'premium' },
  { pattern: /gemini-(\d(\.\d)?-)?ultra|gemini-2\.5-pro|gemini-3-pro/, tier: 'premium' },
  { pattern: /grok-4|deepseek-r1|mistral-large|command-r-plus|llama-3\.1-405b/, tier: 'advanced' },
  // Mid-range general models.
  { pattern: /^gpt-4|^gpt-5|^o4|chatgpt-4o/, tier: 'advanced' },
  { pattern: /claude-(3-5-|3-7-)?sonnet|claude-sonnet/, tier: 'advanced' },
  { pattern: /gemini-(\d(\.\d)?-)?pro/, tier: 'advanced' },
  { pattern: /grok|deepseek|mistral-medium|command-r/, tier: 'advanced' },
];

const RANK: Record<ModelTier, number> = { standard: 0, advanced: 1, premium: 2 };

export function requiredTierForModel(model: string | null | undefined): ModelTier {
  if (!model) return 'standard';
  const name = model.toLowerCase();
  return MODEL_TIER_RULES.find((rule) => rule.pattern.test(name))?.tier ?? 'standard';
}

/** True when a user holding `tier` may use `model` (an unknown/absent model needs `standard`). */
export function isModelAllowedForTier(model: string | null | undefined, tier: ModelTier): boolean {
  return RANK[requiredTierForModel(model)] <= RANK[tier];
}

/**
 * Score thresholds: ≥ 75 premium, ≥ 50 advanced, else standard. Someone without a score yet
 * (fewer than five calls in the window) starts at `advanced`: new people are not locked out of
 * everyday models, and premium is earned.
 */
export const TIER_THRESHOLDS = { premium: 75, advanced: 50 } as const;

export function tierForScore(score: number | null | undefined): ModelTier {
  if (score === null || score === undefined) return 'advanced';
  if (score >= TIER_THRESHOLDS.premium) return 'premium';
  if (score >= TIER_THRESHOLDS.advanced) return 'advanced';
  return 'standard';
}

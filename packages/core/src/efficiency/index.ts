export type { ModelTier } from './model-tiers.js';
export {
  isModelAllowedForTier,
  MODEL_TIER_RULES,
  MODEL_TIERS,
  requiredTierForModel,
  TIER_THRESHOLDS,
  tierForScore,
} from './model-tiers.js';
export { pseudonymFor } from './pseudonym.js';
export type { EfficiencyComponents, EfficiencyInputs, EfficiencyResult, TrendIndicator } from './score.js';
export {
  coachingTips,
  computeEfficiency,
  EFFICIENCY_WEIGHTS,
  MIN_EVENTS_FOR_SCORE,
  TARGET_OUTPUT_RATIO,
  trendIndicator,
} from './score.js';

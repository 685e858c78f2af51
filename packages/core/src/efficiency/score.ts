/**
 * The efficiency score, from metadata alone (docs/efficiency.md). Inputs are per-person sums
 * over a window; every component is in [0, 1] with 1 = efficient, and the score is their
 * weighted mean × 100, skipping components the data cannot measure.
 */
export interface EfficiencyInputs {
  events: number;
  input_tokens: number;
  output_tokens: number;
  /** Tokens on calls whose model is known, and the part of them on premium-tier models. */
  model_known_tokens: number;
  premium_tokens: number;
  /** Calls that followed the same person's previous call to the same provider within 10 s. */
  burst_events: number;
  /** Calls in a session whose input grew ≥ 1.5× over the previous call's (context re-sent). */
  resend_events: number;
}

export interface EfficiencyComponents {
  /** min(1, (output/input) / 0.5): half a token out per token in earns full marks. */
  output_yield: number | null;
  /** 1 − premium share of model-known tokens (null when no model is known). */
  model_fit: number | null;
  /** 1 − min(1, 2 × burst share): a quarter of calls in bursts halves it. */
  burst_discipline: number | null;
  /** 1 − min(1, 2 × re-send share). */
  context_hygiene: number | null;
}

export interface EfficiencyResult {
  score: number | null;
  components: EfficiencyComponents;
}

export const EFFICIENCY_WEIGHTS: Record<keyof EfficiencyComponents, number> = {
  output_yield: 0.4,
  model_fit: 0.2,
  burst_discipline: 0.2,
  context_hygiene: 0.2,
};

/** Below this many calls in the window a person has no score (too little to judge). */
export const MIN_EVENTS_FOR_SCORE = 5;
export const TARGET_OUTPUT_RATIO = 0.5;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function computeEfficiency(inputs: EfficiencyInputs): EfficiencyResult {
  const empty = { output_yield: null, model_fit: null, burst_discipline: null, context_hygiene: null };
  if (inputs.events < MIN_EVENTS_FOR_SCORE) return { score: null, components: empty };
  const components: EfficiencyComponents = {
    output_yield:
      inputs.input_tokens > 0
        ? round3(clamp01(inputs.output_tokens / inputs.input_tokens / TARGET_OUTPUT_RATIO))
        : null,
    model_fit:
      inputs.model_known_tokens > 0
        ? round3(clamp01(1 - inputs.premium_tokens / inputs.model_known_tokens))
        : null,
    burst_discipline: round3(clamp01(1 - (2 * inputs.burst_events) / inputs.events)),
    context_hygiene: round3(clamp01(1 - (2 * inputs.resend_events) / inputs.events)),
  };
  let weighted = 0;
  let weights = 0;
  for (const [key, weight] of Object.entries(EFFICIENCY_WEIGHTS) as [keyof EfficiencyComponents, number][]) {
    const value = components[key];
    if (value === null) continue;
    weighted += weight * value;
    weights += weight;
  }
  return { score: weights === 0 ? null : Math.round((100 * weighted) / weights), components };
}

export type TrendIndicator = 'up' | 'down' | 'flat' | 'new';

/** A change of 3 points or more either way is a trend; no previous score → `new`. */
export function trendIndicator(current: number | null, previous: number | null): TrendIndicator {
  if (current === null || previous === null) return 'new';
  if (current - previous >= 3) return 'up';
  if (previous - current >= 3) return 'down';
  return 'flat';
}

/** Coaching highlights: the weakest measured component, phrased as advice. */
export function coachingTips(components: EfficiencyComponents): string[] {
  const tips: string[] = [];
  if (components.output_yield !== null && components.output_yield < 0.5) {
    tips.push('Large inputs for little output: trim pasted context and ask narrower questions.');
  }
  if (components.model_fit !== null && components.model_fit < 0.5) {
    tips.push('Most tokens go to premium models: try a standard model for routine tasks.');
  }
  if (components.burst_discipline !== null && components.burst_discipline < 0.6) {
    tips.push('Many rapid retries: wait for answers and back off instead of resending.');
  }
  if (components.context_hygiene !== null && components.context_hygiene < 0.6) {
    tips.push('Conversations keep growing: start a fresh session instead of resending long history.');
  }
  return tips;
}

/**
 * Holt-Winters with a damped additive trend and multiplicative weekly seasonality (weekday
 * factors scale with the level, as usage does when a team grows), fitted by
 * grid search on one-step squared error. Damping (φ < 1) lets a saturating series level off
 * instead of extrapolating its early growth; φ = 1 is the classic undamped model.
 */

export const SEASON = 7;

export interface HoltWintersFit {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  level: number;
  trend: number;
  /** Seasonal terms for the next SEASON days, starting with the day after the last observation. */
  season: number[];
  /** One-step-ahead errors over the fitted history (after the first season). */
  residuals: number[];
  sse: number;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8];
const BETAS = [0, 0.02, 0.05, 0.1, 0.2, 0.3];
const GAMMAS = [0.02, 0.05, 0.1, 0.2, 0.3];
const PHIS = [1, 0.98, 0.95, 0.9, 0.8];

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function run(y: readonly number[], alpha: number, beta: number, gamma: number, phi: number): HoltWintersFit {
  // Initial state from the first two weeks: level = week-1 mean, trend = weekly mean change / 7.
  const first = y.slice(0, SEASON);
  const second = y.slice(SEASON, 2 * SEASON);
  let level = mean(first);
  let trend = (mean(second) - level) / SEASON;
  const season = first.map((v) => (level > 0 ? v / level : 1));
  const residuals: number[] = [];
  let sse = 0;
  for (let t = SEASON; t < y.length; t++) {
    const s = season[t % SEASON] ?? 1;
    const actual = y[t] ?? 0;
    const predicted = (level + phi * trend) * s;
    const error = actual - predicted;
    residuals.push(error);
    sse += error * error;
    const previousLevel = level;
    level = alpha * (s > 0 ? actual / s : actual) + (1 - alpha) * (level + phi * trend);
    trend = beta * (level - previousLevel) + (1 - beta) * phi * trend;
    season[t % SEASON] = level > 0 ? gamma * (actual / level) + (1 - gamma) * s : s;
  }
  const next = Array.from({ length: SEASON }, (_, k) => season[(y.length + k) % SEASON] ?? 1);
  return { alpha, beta, gamma, phi, level, trend, season: next, residuals, sse };
}

/** Fits the parameters minimising one-step-ahead squared error. Needs at least two weeks. */
export function fitHoltWinters(y: readonly number[]): HoltWintersFit {
  if (y.length < 2 * SEASON) throw new RangeError(`Holt-Winters needs at least ${2 * SEASON} points`);
  let best: HoltWintersFit | undefined;
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      for (const gamma of GAMMAS) {
        for (const phi of beta === 0 ? [1] : PHIS) {
          const fit = run(y, alpha, beta, gamma, phi);
          if (!best || fit.sse < best.sse) best = fit;
        }
      }
    }
  }
  return best as HoltWintersFit;
}

/** Point forecasts 1…horizon steps ahead. */
export function projectHoltWinters(fit: HoltWintersFit, horizon: number): number[] {
  const out: number[] = [];
  let damped = 0;
  for (let h = 1; h <= horizon; h++) {
    damped += fit.phi ** h;
    out.push((fit.level + damped * fit.trend) * (fit.season[(h - 1) % SEASON] ?? 1));
  }
  return out;
}

/**
 * Standard deviation of the h-step error for additive Holt-Winters (Hyndman et al., class-1
 * state space model, damped): σ²·(1 + Σ_{j=1}^{h−1} (α(1 + β·Σ_{i≤j} φ^i) + γ·[j mod m = 0])²).
 * Widens with h.
 */
export function horizonSigma(fit: HoltWintersFit, sigma: number, h: number): number {
  let sum = 1;
  let damped = 0;
  for (let j = 1; j < h; j++) {
    damped += fit.phi ** j;
    const c = fit.alpha * (1 + fit.beta * damped) + (j % SEASON === 0 ? fit.gamma : 0);
    sum += c * c;
  }
  return sigma * Math.sqrt(sum);
}

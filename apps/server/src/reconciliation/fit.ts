import { DEFAULT_RATIOS, fitRatio, PROVIDER_RATIOS, type Ratio } from '@toktra/core';
import type { ProviderDay } from './daily.js';

/**
 * The pure half of calibration: fit bytes-per-token ratios from provider days, robustly, and
 * measure the estimator's error before and after. Formulas in docs/shadow-ai.md.
 */

export type Direction = 'up' | 'down';

/** Windows needed before a fit is trusted ("enough data"). */
export const MIN_WINDOWS = 5;
/** Relative σ used when an org has no fit yet (provider-apis.md §7.4: ±15-25% per window). */
export const DEFAULT_REL_SIGMA = 0.25;
const SIGMA_FLOOR = 0.02;
/** A day is an outlier when its relative residual exceeds median + K × robust spread. */
const OUTLIER_K = 3;
const MIN_SPREAD = 0.05;

export function defaultRatios(provider: string): { up: Ratio; down: Ratio } {
  return PROVIDER_RATIOS[provider]?.api ?? DEFAULT_RATIOS.api;
}

/** Aggregate estimate of a day's byte-estimated tokens: max(0, bytes − overhead × n) / bpt. */
export function estimateFromBytes(bytes: number, connections: number, ratio: Ratio): number {
  return Math.max(0, bytes - ratio.overheadBytes * connections) / ratio.bytesPerToken;
}

const bytesOf = (d: ProviderDay, dir: Direction) => (dir === 'up' ? d.bytesUp : d.bytesDown);
const reportedOf = (d: ProviderDay, dir: Direction) => (dir === 'up' ? d.reportedInput : d.reportedOutput);
const reconciledOf = (d: ProviderDay, dir: Direction) =>
  (dir === 'up' ? d.reconciledInput : d.reconciledOutput) ?? 0;
/** The provider's tokens that byte-estimated flows must explain (self-reported ones are exact). */
const targetOf = (d: ProviderDay, dir: Direction) => Math.max(0, reconciledOf(d, dir) - reportedOf(d, dir));

/** Relative residual of a day: (provider − estimate) / estimate. Positive = unseen usage. */
export function relResidual(d: ProviderDay, dir: Direction, ratio: Ratio): number {
  const predicted = estimateFromBytes(bytesOf(d, dir), d.connections, ratio);
  return (targetOf(d, dir) - predicted) / Math.max(predicted, 1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Days usable for calibration: both sides present and some traffic. */
export function calibrationDays(days: readonly ProviderDay[]): ProviderDay[] {
  return days.filter(
    (d) =>
      d.reconciledInput !== null &&
      d.connections > 0 &&
      (d.reconciledInput ?? 0) + (d.reconciledOutput ?? 0) > 0,
  );
}

function fitOn(days: readonly ProviderDay[], dir: Direction): Ratio | null {
  return fitRatio(
    days.map((d) => ({ bytes: bytesOf(d, dir), tokens: targetOf(d, dir), connections: d.connections })),
  );
}

export interface DirectionFit {
  ratio: Ratio;
  relSigma: number;
  mapeBefore: number;
  mapeAfter: number;
}

export interface ProviderFit {
  used: string[];
  excluded: string[];
  up: DirectionFit | null;
  down: DirectionFit | null;
}

function mape(days: readonly ProviderDay[], dir: Direction, ratio: Ratio): number {
  const errors = days
    .filter((d) => reconciledOf(d, dir) > 0)
    .map((d) => {
      const estimate = estimateFromBytes(bytesOf(d, dir), d.connections, ratio) + reportedOf(d, dir);
      return Math.abs(estimate - reconciledOf(d, dir)) / reconciledOf(d, dir);
    });
  return errors.length ? errors.reduce((s, e) => s + e, 0) / errors.length : 0;
}

/**
 * Trimmed least squares: fit with `fitRatio`, drop days whose provider figure sits far above
 * what their bytes explain (shadow usage inflates the provider side only), refit, repeat until
 * stable. A day is dropped when either direction is an outlier, since unmanaged usage adds both.
 */
export function fitProvider(provider: string, all: readonly ProviderDay[]): ProviderFit | null {
  let kept = calibrationDays(all);
  if (kept.length < MIN_WINDOWS) return null;
  const excluded = new Set<string>();
  for (let round = 0; round < 5; round++) {
    const up = fitOn(kept, 'up');
    const down = fitOn(kept, 'down');
    const outliers = new Set<string>();
    for (const [dir, ratio] of [
      ['up', up],
      ['down', down],
    ] as const) {
      if (!ratio) continue;
      const residuals = kept.map((d) => relResidual(d, dir, ratio));
      const m = median(residuals);
      const spread = Math.max(MIN_SPREAD, 1.4826 * median(residuals.map((r) => Math.abs(r - m))));
      kept.forEach((d, i) => {
        if ((residuals[i] ?? 0) > m + OUTLIER_K * spread) outliers.add(d.day);
      });
    }
    const next = kept.filter((d) => !outliers.has(d.day));
    if (outliers.size === 0 || next.length < MIN_WINDOWS) break;
    for (const day of outliers) excluded.add(day);
    kept = next;
  }
  const directionFit = (dir: Direction): DirectionFit | null => {
    const ratio = fitOn(kept, dir);
    if (!ratio) return null;
    const residuals = kept.map((d) => relResidual(d, dir, ratio));
    // n − 2: two fitted parameters.
    const relSigma = Math.max(
      SIGMA_FLOOR,
      Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / Math.max(1, residuals.length - 2)),
    );
    return {
      ratio,
      relSigma,
      mapeBefore: mape(kept, dir, defaultRatios(provider)[dir]),
      mapeAfter: mape(kept, dir, ratio),
    };
  };
  return {
    used: kept.map((d) => d.day),
    excluded: [...excluded].sort(),
    up: directionFit('up'),
    down: directionFit('down'),
  };
}

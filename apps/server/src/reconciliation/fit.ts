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

/** Hour windows needed before a fit is trusted. */
export const MIN_HOUR_WINDOWS = 24;

/** Relative residuals above median + K × robust spread are outliers (shadow usage is one-sided). */
function outliersOf(windows: readonly ProviderDay[], dir: Direction, ratio: Ratio): Set<string> {
  const residuals = windows.map((d) => relResidual(d, dir, ratio));
  const m = median(residuals);
  const spread = Math.max(MIN_SPREAD, 1.4826 * median(residuals.map((r) => Math.abs(r - m))));
  const out = new Set<string>();
  windows.forEach((d, i) => {
    if ((residuals[i] ?? 0) > m + OUTLIER_K * spread) out.add(d.day);
  });
  return out;
}

/**
 * Fits one direction on hour windows. Within a day, tokens per connection barely vary, so day
 * windows cannot tell per-connection overhead from bytes-per-token; hours (a few connections
 * each) can. When the free fit is still impossible, the default overhead is kept and only the
 * slope is fitted.
 */
function fitHours(provider: string, hours: readonly ProviderDay[], dir: Direction): Ratio | null {
  const free = fitOn(hours, dir);
  if (free) return free;
  const overhead = defaultRatios(provider)[dir].overheadBytes;
  const slope = fitRatio(
    hours.map((d) => ({
      bytes: Math.max(0, bytesOf(d, dir) - overhead * d.connections),
      tokens: targetOf(d, dir),
      connections: 0,
    })),
  );
  return slope ? { overheadBytes: overhead, bytesPerToken: slope.bytesPerToken } : null;
}

/**
 * Trimmed least squares: fit on hour windows with \`fitRatio\`, drop hours whose provider figure
 * sits far above what their bytes explain (shadow usage inflates the provider side only), refit,
 * repeat until stable. Then judge whole days with the fitted ratio: days that are outliers in
 * either direction (unmanaged usage adds both) are excluded, and the rest give the error (σ,
 * MAPE before/after) that the Shadow AI band uses.
 */
export function fitProvider(
  provider: string,
  hoursAll: readonly ProviderDay[],
  daysAll: readonly ProviderDay[],
): ProviderFit | null {
  const days = calibrationDays(daysAll);
  let hours = calibrationDays(hoursAll);
  if (days.length < MIN_WINDOWS || hours.length < MIN_HOUR_WINDOWS) return null;
  let up: Ratio | null = null;
  let down: Ratio | null = null;
  for (let round = 0; round < 6; round++) {
    up = fitHours(provider, hours, 'up');
    down = fitHours(provider, hours, 'down');
    const outliers = new Set<string>();
    if (up) for (const h of outliersOf(hours, 'up', up)) outliers.add(h);
    if (down) for (const h of outliersOf(hours, 'down', down)) outliers.add(h);
    const next = hours.filter((h) => !outliers.has(h.day));
    if (outliers.size === 0 || next.length < MIN_HOUR_WINDOWS) break;
    hours = next;
  }
  if (!up && !down) return null;
  let kept = days;
  for (let round = 0; round < 6; round++) {
    const outliers = new Set<string>();
    if (up) for (const d of outliersOf(kept, 'up', up)) outliers.add(d);
    if (down) for (const d of outliersOf(kept, 'down', down)) outliers.add(d);
    const next = kept.filter((d) => !outliers.has(d.day));
    if (outliers.size === 0 || next.length < MIN_WINDOWS) break;
    kept = next;
  }
  const directionFit = (dir: Direction, ratio: Ratio | null): DirectionFit | null => {
    if (!ratio) return null;
    const residuals = kept.map((d) => relResidual(d, dir, ratio));
    // k − 2: two fitted parameters.
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
  const keptDays = new Set(kept.map((d) => d.day));
  return {
    used: kept.map((d) => d.day),
    excluded: days.filter((d) => !keptDays.has(d.day)).map((d) => d.day),
    up: directionFit('up', up),
    down: directionFit('down', down),
  };
}

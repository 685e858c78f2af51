import { RATIO_BOUNDS } from './default-ratios.js';
import type { Ratio } from './types.js';

/** One observation window (e.g. an org-hour for one provider and direction). */
export type RatioSample = { bytes: number; tokens: number; connections: number };

/**
 * Below these the fit follows noise, not traffic: three windows with tokens give two degrees of
 * freedom for two parameters plus one to spare, and a few hundred tokens is a handful of requests.
 */
const MIN_SAMPLES_WITH_TOKENS = 3;
const MIN_TOTAL_TOKENS = 200;
/**
 * When tokens per connection barely vary, overhead and bytes-per-token cannot be told apart
 * (the normal matrix is near singular). 1 − (uncentred correlation)² below this means "collinear".
 */
const MIN_INDEPENDENCE = 1e-6;

const { overheadBytes: O, bytesPerToken: B } = RATIO_BOUNDS;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Least-squares fit of bytes = overheadBytes × connections + bytesPerToken × tokens, over windows
 * whose token totals come from a provider's own usage report. Returns `null` when the data cannot
 * support a fit (too few windows or tokens, no independent variation, or a result outside
 * `RATIO_BOUNDS`). When the free fit leaves the bounds for overhead (typically negative from
 * noise), overhead is clamped and bytes-per-token refitted with it fixed.
 *
 * Ordinary least squares weights big windows most, which is what budgets need: the totals right.
 *
 * @example
 * fitRatio([
 *   { bytes: 995_000, tokens: 3_000, connections: 1 },
 *   { bytes: 1_990_000, tokens: 6_000, connections: 2 },
 *   { bytes: 675_000, tokens: 2_000, connections: 3 },
 * ]); // { overheadBytes: 5000, bytesPerToken: 330 }
 */
export function fitRatio(samples: readonly RatioSample[]): Ratio | null {
  let scc = 0;
  let sct = 0;
  let stt = 0;
  let scy = 0;
  let sty = 0;
  let withTokens = 0;
  let totalTokens = 0;
  for (const s of samples) {
    const { bytes: y, tokens: t, connections: c } = s;
    // Skip impossible rows (negative or non-finite) rather than let one poison the sums.
    if (![y, t, c].every((v) => Number.isFinite(v) && v >= 0)) continue;
    scc += c * c;
    sct += c * t;
    stt += t * t;
    scy += c * y;
    sty += t * y;
    if (t > 0) withTokens++;
    totalTokens += t;
  }
  if (withTokens < MIN_SAMPLES_WITH_TOKENS || totalTokens < MIN_TOTAL_TOKENS) return null;

  let overhead: number;
  let bpt: number;
  const det = scc * stt - sct * sct;
  if (scc > 0 && det / (scc * stt) >= MIN_INDEPENDENCE) {
    overhead = (scy * stt - sty * sct) / det;
    bpt = (sty * scc - scy * sct) / det;
  } else if (scc === 0) {
    // No connection counts at all: only a through-origin slope is identifiable.
    overhead = 0;
    bpt = sty / stt;
  } else {
    return null;
  }

  if (overhead < O.min || overhead > O.max) {
    overhead = clamp(overhead, O.min, O.max);
    bpt = (sty - overhead * sct) / stt;
  }
  if (!Number.isFinite(bpt) || bpt < B.min || bpt > B.max) return null;
  return { overheadBytes: Math.round(overhead), bytesPerToken: Math.round(bpt * 1000) / 1000 };
}

import type { Product } from '../catalogue/types.js';
import {
  DEFAULT_RATIOS,
  ESTIMATOR_VERSION,
  HANDSHAKE_OVERHEAD,
  PROVIDER_RATIOS,
  QUIC_ADJUSTMENT,
  RATIO_BOUNDS,
} from './default-ratios.js';
import type { EstimateInput, Ratio, RatioOverride, RatioOverrides, TokenEstimate } from './types.js';

/** A ratio is usable only inside `RATIO_BOUNDS`; overrides come from stored JSON and may be junk. */
export function isValidRatio(ratio: unknown): ratio is Ratio {
  if (typeof ratio !== 'object' || ratio === null) return false;
  const { overheadBytes, bytesPerToken } = ratio as Partial<Ratio>;
  return (
    typeof overheadBytes === 'number' &&
    typeof bytesPerToken === 'number' &&
    overheadBytes >= RATIO_BOUNDS.overheadBytes.min &&
    overheadBytes <= RATIO_BOUNDS.overheadBytes.max &&
    bytesPerToken >= RATIO_BOUNDS.bytesPerToken.min &&
    bytesPerToken <= RATIO_BOUNDS.bytesPerToken.max
  );
}

/** Negative, NaN or infinite counts cannot happen on the wire; they count as nothing. */
function cleanBytes(bytes: number): number {
  return Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
}

function tokensFrom(bytes: number, ratio: Ratio, extraOverhead: number): number {
  const overhead = Math.max(0, ratio.overheadBytes + extraOverhead);
  return Math.round(Math.max(0, bytes - overhead) / ratio.bytesPerToken);
}

type ResolvedOverride = { key: string; up: Ratio | null; down: Ratio | null };

function findOverride(
  overrides: RatioOverrides | undefined,
  provider: string,
  product: Product,
): ResolvedOverride | null {
  if (!overrides) return null;
  const keys = product === 'api' ? [`${provider}/api`, provider] : [`${provider}/${product}`];
  for (const key of keys) {
    // hasOwn: keys come from stored JSON; `constructor` must not resolve to Object's prototype.
    if (!Object.hasOwn(overrides, key)) continue;
    const o: RatioOverride | undefined = overrides[key];
    const up = isValidRatio(o?.up) ? o.up : null;
    const down = isValidRatio(o?.down) ? o.down : null;
    if (up || down) return { key, up, down };
  }
  return null;
}

/**
 * Estimates the tokens of one connection from its byte counts. Integers, never negative, and
 * monotonic in each direction's bytes. The `method` says which ratios produced the numbers:
 * `bytes:v1:openai/api` (built-in row), `bytes:v1:default/chat-app` (no provider row),
 * `bytes:calibrated:openai` (an org override for both directions), `bytes:calibrated-up:openai`
 * (override for one direction only), `bytes:v1:telemetry` (telemetry host, no tokens); QUIC
 * connections add `@quic`.
 *
 * @example
 * estimateTokens({ provider: 'openai', product: 'api', transport: 'tcp', bytesUp: 6_000, bytesDown: 72_000 });
 * // { inputTokens: 1050, outputTokens: 202, method: 'bytes:v1:openai/api' }
 */
export function estimateTokens(input: EstimateInput, overrides?: RatioOverrides): TokenEstimate {
  const quic = input.transport === 'quic';
  const suffix = quic ? '@quic' : '';
  if (input.category === 'telemetry') {
    return { inputTokens: 0, outputTokens: 0, method: `bytes:${ESTIMATOR_VERSION}:telemetry${suffix}` };
  }

  const own = Object.hasOwn(PROVIDER_RATIOS, input.provider)
    ? PROVIDER_RATIOS[input.provider]?.[input.product]
    : undefined;
  const defaults = own ?? DEFAULT_RATIOS[input.product] ?? DEFAULT_RATIOS.api;
  const override = findOverride(overrides, input.provider, input.product);

  const bytesUp = cleanBytes(input.bytesUp);
  const bytesDown = cleanBytes(input.bytesDown);
  // QUIC ACKs are UDP payload, so the client's acknowledgements of the download sit in bytesUp.
  const payloadUp = quic ? bytesUp - QUIC_ADJUSTMENT.ackBytesPerDownByte * bytesDown : bytesUp;
  // A follow-up exchange carries neither the handshake nor QUIC's padded Initials: its overhead is
  // the ratio's less the handshake share (never below zero).
  const extraUp = input.followUp ? -HANDSHAKE_OVERHEAD.up : quic ? QUIC_ADJUSTMENT.extraOverheadBytes.up : 0;
  const extraDown = input.followUp
    ? -HANDSHAKE_OVERHEAD.down
    : quic
      ? QUIC_ADJUSTMENT.extraOverheadBytes.down
      : 0;

  const inputTokens = tokensFrom(payloadUp, override?.up ?? defaults.up, extraUp);
  const outputTokens = tokensFrom(bytesDown, override?.down ?? defaults.down, extraDown);

  let method: string;
  if (override) {
    const scope =
      override.up && override.down ? 'calibrated' : override.up ? 'calibrated-up' : 'calibrated-down';
    method = `bytes:${scope}:${override.key}`;
  } else {
    method = `bytes:${ESTIMATOR_VERSION}:${own ? input.provider : 'default'}/${input.product}`;
  }
  return { inputTokens, outputTokens, method: method + suffix + (input.followUp ? '+followup' : '') };
}

import type { Product } from '../catalogue/types.js';

export type Transport = 'tcp' | 'quic';

/** Bytes on one connection = overheadBytes + bytesPerToken × tokens (per direction). */
export type Ratio = { overheadBytes: number; bytesPerToken: number };

export type DirectionalRatios = { up: Ratio; down: Ratio };

/** A calibrated replacement for either direction; a missing direction keeps the default. */
export type RatioOverride = { up?: Ratio; down?: Ratio };

/**
 * Calibrated ratios of one org. Keys are `provider/product` (e.g. `cursor/coding-assistant`) or a
 * bare `provider`, which is shorthand for `provider/api`: every reconciliation source (OpenAI and
 * Anthropic usage APIs, Azure Monitor, Cloud Monitoring) reports API usage only, so a ratio fitted
 * from them says nothing about the same vendor's chat app.
 */
export type RatioOverrides = Readonly<Record<string, RatioOverride>>;

export type EstimateInput = {
  provider: string;
  product: Product;
  transport: Transport;
  /** Transport payload bytes, client → server. */
  bytesUp: number;
  /** Transport payload bytes, server → client. */
  bytesDown: number;
  /** The catalogue category; `telemetry` hosts never get tokens. */
  category?: string;
  /** A later request/response exchange on a connection: its bytes hold no handshake. */
  followUp?: boolean;
};

export type TokenEstimate = { inputTokens: number; outputTokens: number; method: string };

import type { Product } from '../catalogue/types.js';
import type { DirectionalRatios } from './types.js';

/**
 * # Default bytes-per-token ratios (estimator v1)
 *
 * tokens = max(0, bytes − overheadBytes) / bytesPerToken, per connection and direction;
 * input tokens from upstream bytes, output tokens from downstream bytes. Bytes are TCP or UDP
 * payload (TLS records or QUIC packets), headers excluded. Every number here is an estimate to be
 * replaced by per-org calibration (see `fitRatio`); the reasoning is in
 * shared/reference/provider-apis.md §7.
 *
 * ## Overhead per connection (TCP)
 * - Up ≈ 1.8 KB: ClientHello 0.5 KB (OpenSSL 3.0) to 1.6 KB (post-quantum key share, Node 24,
 *   Go), CCS + Finished ~0.1 KB, HTTP/2 preface + SETTINGS ~0.1 KB, first request headers
 *   ~0.45 KB (bearer key, SDK `x-stainless-*` headers), JSON envelope ~0.15 KB.
 * - Down ≈ 5-8 KB: TLS server flight 2.6 KB (Cloudflare ECDSA chain) to 5.5 KB (AWS, Azure RSA
 *   chains; Azure's SAN list is long) plus ~1.1 KB when a PQ key share is negotiated, session
 *   tickets ~0.4 KB, first response headers ~1 KB (rate-limit headers, cookies), and the fixed
 *   frames of a stream (role chunk, finish chunk, usage chunk, `[DONE]`; Anthropic's
 *   message_start/stop and pings).
 *
 * ## Upstream bytes per input token
 * Request bodies are uncompressed JSON; API clients resend the whole conversation each turn, so
 * bytes track billed input tokens. ~4 chars/token for OpenAI/Gemini English text, 3.5 for Claude
 * ≤ 4.6 and ~2.7 for Claude ≥ 4.7 (new tokenizer, ~30% more tokens) → 3.2 blended; code and JSON
 * escaping (`\n`, `\"`) push coding assistants to ~3.5. Base64 images break this (tokens are
 * priced by tiles, not bytes) and realtime audio breaks it completely.
 *
 * ## Downstream bytes per output token
 * Assumes streaming (SSE), because interactive tools stream and because the error is safer that
 * way round: a non-streamed response (~4-5 B/token) read with a streaming ratio is under-counted,
 * and reconciliation shows the gap as shadow AI; the reverse would over-count by ~80× and could
 * trip hard budget caps on people who did nothing wrong.
 * - OpenAI: one `chat.completion.chunk` per token, ~294 B of JSON + a random-length
 *   `obfuscation` string (OpenAI pads on purpose) + 9 B HTTP/2 frame + 22 B TLS record ≈ 330 B.
 * - OpenAI-compatible APIs (Mistral, DeepSeek, Groq, xAI, Together, …): same chunk shape without
 *   obfuscation, ~220-280 B → 250.
 * - Azure OpenAI: OpenAI chunks plus `content_filter_results` on each → 380.
 * - Anthropic: `content_block_delta` ~115 B + framing 31 B, carrying 3-8 tokens → ~35.
 * - Gemini / Vertex: a chunk (~250 B with `usageMetadata`) carries tens of tokens → ~20.
 * - Bedrock: AWS event-stream framing, base64 payload and a random `p` padding field around
 *   Claude-style deltas → ~60.
 * - Cohere v2: `content-delta` events of one token, ~150 B → 160.
 * - Cursor, Windsurf: length-prefixed protobuf over HTTP/2 (Connect/gRPC), a few tokens per
 *   message → ~40; their uploads are raw code in protobuf → 3.2.
 *
 * ## Chat apps (low confidence, ±50% or worse)
 * One long-lived HTTP/2 or HTTP/3 connection carries the page (SSR HTML with inline JSON, ~100 KB
 * compressed), bootstrap API calls, telemetry and the conversation streams. Overhead absorbs a
 * page load. Tokens mean what the model processed: each turn the model reads the whole history and
 * system prompt (~3-6 K tokens) while the browser sends only the new message plus ~20 KB of
 * request JSON, proof-of-work tokens, cookies and telemetry → ~6 B per input token; each answer
 * (~500 tokens) brings ~45 KB of stream and metadata → ~90 B per output token.
 *
 * ## QUIC (see `QUIC_ADJUSTMENT`)
 * Datagrams carrying Initial packets are padded to 1,200 B in both directions (RFC 9000 §14.1),
 * and Chrome's post-quantum ClientHello spans two Initials: ~+2 KB up, ~+1 KB down (plus HTTP/3
 * control and QPACK streams). Unlike TCP, QUIC ACKs are UDP payload: the client's ACK-only packets
 * (~45 B every 2-10 server packets) are counted upstream, so ~3% of downstream bytes are removed
 * from upstream before estimating input.
 */

/** Bumped whenever a default below changes, so stored methods say which table produced them. */
export const ESTIMATOR_VERSION = 'v1';

const OPENAI_COMPATIBLE_API: DirectionalRatios = {
  up: { overheadBytes: 1800, bytesPerToken: 4 },
  down: { overheadBytes: 5000, bytesPerToken: 250 },
};

const PROTOBUF_CODING: DirectionalRatios = {
  up: { overheadBytes: 3000, bytesPerToken: 3.2 },
  down: { overheadBytes: 6000, bytesPerToken: 40 },
};

/** Used when the provider has no row of its own (org-defined providers, most chat apps). */
export const DEFAULT_RATIOS: Readonly<Record<Product, DirectionalRatios>> = {
  api: OPENAI_COMPATIBLE_API,
  'chat-app': {
    up: { overheadBytes: 20000, bytesPerToken: 6 },
    down: { overheadBytes: 100000, bytesPerToken: 90 },
  },
  // Copilot-style: large code context up (JSON-escaped), OpenAI-style SSE chunks down.
  'coding-assistant': {
    up: { overheadBytes: 3000, bytesPerToken: 3.5 },
    down: { overheadBytes: 6000, bytesPerToken: 250 },
  },
};

/**
 * Provider-specific rows. Providers whose traffic has the shape of a default are still listed, so
 * the method names them (`bytes:v1:mistral/api`) and a later tweak changes only their row.
 */
export const PROVIDER_RATIOS: Readonly<Record<string, Partial<Record<Product, DirectionalRatios>>>> = {
  openai: {
    api: { up: { overheadBytes: 1800, bytesPerToken: 4 }, down: { overheadBytes: 5500, bytesPerToken: 330 } },
  },
  anthropic: {
    api: {
      up: { overheadBytes: 1800, bytesPerToken: 3.2 },
      down: { overheadBytes: 7000, bytesPerToken: 35 },
    },
  },
  'azure-openai': {
    api: { up: { overheadBytes: 2000, bytesPerToken: 4 }, down: { overheadBytes: 8000, bytesPerToken: 380 } },
  },
  gemini: {
    api: { up: { overheadBytes: 1800, bytesPerToken: 4 }, down: { overheadBytes: 6000, bytesPerToken: 20 } },
    // Gemini Code Assist / CLI wrap Gemini stream chunks.
    'coding-assistant': {
      up: { overheadBytes: 3000, bytesPerToken: 3.5 },
      down: { overheadBytes: 6000, bytesPerToken: 25 },
    },
  },
  'google-vertex': {
    api: { up: { overheadBytes: 1800, bytesPerToken: 4 }, down: { overheadBytes: 6000, bytesPerToken: 20 } },
  },
  'amazon-bedrock': {
    // SigV4 signing headers are larger than a bearer key; mostly Claude models, whose 3.2 B/token
    // rises a little inside Bedrock's request wrapper.
    api: {
      up: { overheadBytes: 2500, bytesPerToken: 3.4 },
      down: { overheadBytes: 6500, bytesPerToken: 60 },
    },
  },
  cohere: {
    api: { up: { overheadBytes: 1800, bytesPerToken: 4 }, down: { overheadBytes: 5000, bytesPerToken: 160 } },
  },
  mistral: { api: OPENAI_COMPATIBLE_API },
  deepseek: { api: OPENAI_COMPATIBLE_API },
  xai: { api: OPENAI_COMPATIBLE_API },
  groq: { api: OPENAI_COMPATIBLE_API },
  openrouter: { api: OPENAI_COMPATIBLE_API },
  huggingface: { api: OPENAI_COMPATIBLE_API },
  together: { api: OPENAI_COMPATIBLE_API },
  fireworks: { api: OPENAI_COMPATIBLE_API },
  deepinfra: { api: OPENAI_COMPATIBLE_API },
  cerebras: { api: OPENAI_COMPATIBLE_API },
  nvidia: { api: OPENAI_COMPATIBLE_API },
  perplexity: { api: OPENAI_COMPATIBLE_API },
  cursor: { 'coding-assistant': PROTOBUF_CODING },
  windsurf: { 'coding-assistant': PROTOBUF_CODING },
};

export const QUIC_ADJUSTMENT = {
  extraOverheadBytes: { up: 2000, down: 1000 },
  /** Upstream ACK bytes per downstream byte, removed from upstream before estimating input. */
  ackBytesPerDownByte: 0.03,
} as const;

/**
 * The part of a connection's overhead that only its first exchange carries: the TLS handshake
 * (ClientHello, CCS/Finished, HTTP/2 preface ≈ 1.2 KB up; server flight and session tickets ≈ 3.5
 * KB down; QUIC's padded Initials are in `QUIC_ADJUSTMENT` and also go with the first exchange).
 * A later exchange on the same connection (an agent event with `seq` > 0) is estimated without
 * it, so a connection carrying twenty requests no longer subtracts its handshake twenty times —
 * and no longer subtracts the per-request overhead only once.
 */
export const HANDSHAKE_OVERHEAD = { up: 1200, down: 3500 } as const;

/**
 * What a sane ratio looks like; calibrated overrides and fits outside this are rejected. 0.5 B per
 * token is below any compression of text; 5,000 B per token is fifteen times the padded OpenAI chunk.
 */
export const RATIO_BOUNDS = {
  overheadBytes: { min: 0, max: 1_000_000 },
  bytesPerToken: { min: 0.5, max: 5000 },
} as const;

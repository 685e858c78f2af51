import { Counter } from 'prom-client';
import type { AppContext } from '../context.js';

export type RefusalReason =
  | 'no_certificate'
  | 'expired'
  | 'unknown_ca'
  | 'invalid_certificate'
  | 'bad_identity'
  | 'org_mismatch'
  | 'unknown_device'
  | 'revoked'
  | 'superseded'
  | 'tls_error';

/** A client the ingest server will not serve; `message` is safe to send back to it. */
export class IngestRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

const METRIC = 'toktra_ingest_refusals_total';

/** The refusal counter on ctx.metrics, registered once per registry. */
export function refusalCounter(ctx: Pick<AppContext, 'metrics'>): Counter<'reason'> {
  const existing = ctx.metrics.getSingleMetric(METRIC);
  if (existing) return existing as Counter<'reason'>;
  return new Counter({
    name: METRIC,
    help: 'Ingest connections or requests refused, by reason (certificate problems, revoked devices)',
    labelNames: ['reason'],
    registers: [ctx.metrics],
  });
}

/** OpenSSL verification codes (socket.authorizationError) → our reasons. */
export function reasonOfVerifyError(code: string): RefusalReason {
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'expired';
  if (
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'CERT_SIGNATURE_FAILURE',
    ].includes(code)
  ) {
    return 'unknown_ca';
  }
  return 'invalid_certificate';
}

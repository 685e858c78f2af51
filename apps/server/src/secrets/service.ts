import type { AppContext } from '../context.js';
import { decryptWithKeyring, encryptWithKeyring, rewrapWithKeyring } from './envelope.js';

/**
 * Secrets at rest for every feature (CA keys, provider credentials, Slack tokens): store the
 * returned string, never the plaintext. Pass the same `context` (e.g. "provider_connection:<id>")
 * to both calls to bind a blob to the row it belongs to.
 */
export function encryptSecret(
  ctx: Pick<AppContext, 'keyring'>,
  plaintext: string | Uint8Array,
  context?: string,
): string {
  return encryptWithKeyring(ctx.keyring(), plaintext, context);
}

/** The plaintext as UTF-8; throws `internal` when the blob was tampered with or the key is wrong. */
export function decryptSecret(ctx: Pick<AppContext, 'keyring'>, blob: string, context?: string): string {
  return decryptWithKeyring(ctx.keyring(), blob, context).toString('utf8');
}

export function decryptSecretBytes(ctx: Pick<AppContext, 'keyring'>, blob: string, context?: string): Buffer {
  return decryptWithKeyring(ctx.keyring(), blob, context);
}

/** After a master-key rotation: the same secret, wrapped by the current key. */
export function rewrapSecret(ctx: Pick<AppContext, 'keyring'>, blob: string): string {
  return rewrapWithKeyring(ctx.keyring(), blob);
}

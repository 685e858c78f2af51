import { buf, fromUtf8, hexOf, utf8 } from './encoding.js';
import { openWith, type Sealed, sealTo } from './hpke.js';

/**
 * One personal-mode AI connection as the employee sees it. This is the plaintext that exists only
 * on the device (before sealing) and in the employee's browser (after opening) — never on the server.
 */
export interface PersonalUsage {
  v: 1;
  /** The agent's event id (UUIDv7, local to the device). */
  id: string;
  host: string;
  provider: string | null;
  product: string | null;
  occurred_at: string;
  duration_ms: number;
  transport: 'tcp' | 'quic';
  bytes_up: number;
  bytes_down: number;
  est_input_tokens: number;
  est_output_tokens: number;
  source: 'agent' | 'proxy';
}

/**
 * Plaintexts are padded to a multiple of this many bytes before sealing, so a ciphertext's length
 * says nothing about the host name or the byte counts inside it.
 */
export const PAD_TO = 512;

export function encodePersonalUsage(usage: PersonalUsage): Uint8Array {
  const json = utf8(JSON.stringify(usage));
  const size = Math.ceil((json.length + 1) / PAD_TO) * PAD_TO;
  const out = new Uint8Array(size).fill(0x20); // JSON.parse ignores trailing spaces
  out.set(json);
  return out;
}

export function decodePersonalUsage(bytes: Uint8Array): PersonalUsage {
  const value = JSON.parse(fromUtf8(bytes)) as PersonalUsage;
  if (value?.v !== 1 || typeof value.host !== 'string') throw new Error('not a personal usage record');
  return value;
}

/**
 * The ledger entry's idempotency key: a hash of the event id under the recipient's key. Stable
 * across resends (the agent may re-seal after a crash) but, unlike the UUIDv7 it comes from, it
 * carries no timestamp and cannot be linked to anything on the corporate side.
 */
export async function clientIdOf(publicKey: string, eventId: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    buf(utf8(`toktra-perks/v1 client id|${publicKey}|${eventId}`)),
  );
  return hexOf(new Uint8Array(digest)).slice(0, 32);
}

/** The AAD: a ciphertext opens only in the ledger slot it was sealed for (the server cannot move it). */
export const entryAad = (enrollmentId: string, clientId: string) =>
  utf8(`toktra-perks/v1 entry|${enrollmentId}|${clientId}`);

export interface SealedEntry extends Sealed {
  enrollment_id: string;
  client_id: string;
}

export async function sealPersonalUsage(
  enrollment: { id: string; publicKey: string },
  usage: PersonalUsage,
): Promise<SealedEntry> {
  const clientId = await clientIdOf(enrollment.publicKey, usage.id);
  const sealed = await sealTo(
    enrollment.publicKey,
    encodePersonalUsage(usage),
    entryAad(enrollment.id, clientId),
  );
  return { enrollment_id: enrollment.id, client_id: clientId, ...sealed };
}

export async function openPersonalUsage(privateKey: string, entry: SealedEntry): Promise<PersonalUsage> {
  const plain = await openWith(privateKey, entry, entryAad(entry.enrollment_id, entry.client_id));
  return decodePersonalUsage(plain);
}

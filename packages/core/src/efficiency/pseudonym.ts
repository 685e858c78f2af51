import { createHmac } from 'node:crypto';

const ANIMALS = [
  'Falcon',
  'Otter',
  'Lynx',
  'Heron',
  'Badger',
  'Marten',
  'Osprey',
  'Ibex',
  'Puffin',
  'Raven',
  'Walrus',
  'Bison',
  'Gecko',
  'Jaguar',
  'Koala',
  'Manta',
] as const;

/**
 * A stable pseudonym for a person: HMAC-SHA256 of the user id under the org's secret, shown as
 * an animal and 4 hex digits ("Falcon-3F2A"). Stable across runs, unguessable without the secret.
 */
export function pseudonymFor(secret: Uint8Array, userId: string): string {
  const digest = createHmac('sha256', secret).update(`pseudonym:${userId}`).digest();
  const animal = ANIMALS[(digest[0] ?? 0) % ANIMALS.length];
  return `${animal}-${digest.subarray(1, 3).toString('hex').toUpperCase()}`;
}

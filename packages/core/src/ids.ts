import { uuidv7, V7Generator } from 'uuidv7';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_UNIX_TS_MS = 2 ** 48 - 1;

// A generator of its own for back-dated ids, so seeding history never disturbs the monotonic
// counter of the shared generator that live events use.
let backdated: V7Generator | undefined;

/**
 * A new event id: a UUIDv7, generated on the client so retries of a batch dedupe on ingest, and
 * time-ordered so indexes on it stay append-mostly. Ids from one process are strictly increasing.
 * `atMs` back-dates the id (demo history, imports); such ids are unique but not ordered with live ones.
 *
 * @example
 * newEventId(); // '019a6f2e-8c41-7b3d-9f0e-2d5c8a1b4e77'
 */
export function newEventId(atMs?: number): string {
  if (atMs === undefined) return uuidv7();
  if (!Number.isInteger(atMs) || atMs < 0 || atMs > MAX_UNIX_TS_MS) {
    throw new RangeError(`atMs must be an integer millisecond timestamp, got ${atMs}`);
  }
  backdated ??= new V7Generator();
  return backdated.generateOrResetWithTs(atMs).toString();
}

/** Canonical 8-4-4-4-12 hexadecimal form, any version, either case. */
export function isUuid(s: string): boolean {
  return UUID_PATTERN.test(s);
}

/** Version 7 with the RFC 9562 variant (10xx), in canonical form. */
export function isUuidV7(s: string): boolean {
  return isUuid(s) && s[14] === '7' && '89abAB'.includes(s[19] ?? '');
}

/**
 * Milliseconds since the Unix epoch held in a UUIDv7's first 48 bits, or `null` when `id` is not
 * a v7 (other versions keep no such timestamp there).
 *
 * @example
 * uuidV7Timestamp('017f22e2-79b0-7cc3-98c4-dc0c0c07398f'); // 1645557742000
 */
export function uuidV7Timestamp(id: string): number | null {
  if (!isUuidV7(id)) return null;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

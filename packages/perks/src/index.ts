export { fromBase64Url, fromHex, hexOf, toBase64Url } from './encoding.js';
export {
  generatePerkKeyPair,
  isPerkPublicKey,
  openWith,
  PERKS_INFO,
  type PerkKeyPair,
  type Sealed,
  sealTo,
} from './hpke.js';
export {
  DEFAULT_PBKDF2_ITERATIONS,
  isWrappedKey,
  MIN_PASSPHRASE_LENGTH,
  pbkdf2Sha256,
  unwrapPrivateKey,
  type WrappedKey,
  wrapPrivateKey,
} from './key-wrap.js';
export {
  clientIdOf,
  decodePersonalUsage,
  encodePersonalUsage,
  entryAad,
  openPersonalUsage,
  PAD_TO,
  type PersonalUsage,
  type SealedEntry,
  sealPersonalUsage,
} from './personal-event.js';
export { PERK_TTL_DAYS, PERK_TTL_MS } from './ttl.js';

import { describe, expect, it } from 'vitest';
import { fromBase64Url, fromHex, fromUtf8, hexOf, toBase64Url, utf8 } from './encoding.js';
import { generatePerkKeyPair, isPerkPublicKey, openWith, sealTo } from './hpke.js';
import { isWrappedKey, pbkdf2Sha256, unwrapPrivateKey, wrapPrivateKey } from './key-wrap.js';
import {
  clientIdOf,
  encodePersonalUsage,
  openPersonalUsage,
  PAD_TO,
  type PersonalUsage,
  sealPersonalUsage,
} from './personal-event.js';

// RFC 9180 appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode.
const A11 = {
  skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
  pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
  enc: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
  info: '4f6465206f6e2061204772656369616e2055726e',
  aad: '436f756e742d30',
  pt: '4265617574792069732074727574682c20747275746820626561757479',
  ct: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
};
const b64 = (hex: string) => toBase64Url(fromHex(hex));

const usage: PersonalUsage = {
  v: 1,
  id: '01966b7e-0000-7000-8000-000000000001',
  host: 'chatgpt.com',
  provider: 'openai',
  product: 'chat',
  occurred_at: '2026-11-22T01:00:00.000Z',
  duration_ms: 1200,
  transport: 'tcp',
  bytes_up: 2048,
  bytes_down: 8192,
  est_input_tokens: 400,
  est_output_tokens: 1900,
  source: 'agent',
};

describe('HPKE (RFC 9180)', () => {
  it('opens the RFC 9180 A.1.1 known-answer ciphertext to its plaintext', async () => {
    const sealed = { enc: b64(A11.enc), ciphertext: b64(A11.ct) };
    const pt = await openWith(b64(A11.skRm), sealed, fromHex(A11.aad), fromHex(A11.info));
    expect(hexOf(pt)).toBe(A11.pt);
    expect(fromUtf8(pt)).toBe('Beauty is truth, truth beauty');
  });

  it('round-trips to the RFC public key, and a fresh key pair', async () => {
    const sealed = await sealTo(b64(A11.pkRm), utf8('hello'), utf8('aad'));
    expect(fromUtf8(await openWith(b64(A11.skRm), sealed, utf8('aad')))).toBe('hello');
    const pair = await generatePerkKeyPair();
    expect(isPerkPublicKey(pair.publicKey)).toBe(true);
    expect(fromBase64Url(pair.privateKey)).toHaveLength(32);
    const again = await sealTo(pair.publicKey, utf8('hello'), utf8('aad'));
    expect(again.enc).not.toBe(sealed.enc); // a fresh ephemeral key per message
    expect(fromUtf8(await openWith(pair.privateKey, again, utf8('aad')))).toBe('hello');
  });

  it('refuses a flipped bit, the wrong AAD, the wrong key and a swapped enc', async () => {
    const pair = await generatePerkKeyPair();
    const other = await generatePerkKeyPair();
    const sealed = await sealTo(pair.publicKey, utf8('secret'), utf8('slot-1'));
    const bytes = fromBase64Url(sealed.ciphertext);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await expect(
      openWith(pair.privateKey, { ...sealed, ciphertext: toBase64Url(bytes) }, utf8('slot-1')),
    ).rejects.toThrow();
    await expect(openWith(pair.privateKey, sealed, utf8('slot-2'))).rejects.toThrow();
    await expect(openWith(other.privateKey, sealed, utf8('slot-1'))).rejects.toThrow();
    const second = await sealTo(pair.publicKey, utf8('secret'), utf8('slot-1'));
    await expect(openWith(pair.privateKey, { ...sealed, enc: second.enc }, utf8('slot-1'))).rejects.toThrow();
  });
});

describe('passphrase wrapping', () => {
  it('PBKDF2-HMAC-SHA256 matches the RFC 7914 §11 known answer', async () => {
    const out = await pbkdf2Sha256('passwd', utf8('salt'), 1, 256);
    expect(hexOf(out)).toBe('55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc');
  });

  it('wraps with the default work factor and unwraps only with the passphrase and its public key', async () => {
    const pair = await generatePerkKeyPair();
    const wrapped = await wrapPrivateKey(pair.privateKey, pair.publicKey, 'correct horse battery');
    expect(wrapped.iterations).toBe(600_000);
    expect(isWrappedKey(wrapped)).toBe(true);
    expect(JSON.stringify(wrapped)).not.toContain(pair.privateKey);
    expect(await unwrapPrivateKey(wrapped, pair.publicKey, 'correct horse battery')).toBe(pair.privateKey);
    await expect(unwrapPrivateKey(wrapped, pair.publicKey, 'correct horse battery!')).rejects.toThrow(
      /wrong passphrase/,
    );
    const other = await generatePerkKeyPair();
    await expect(unwrapPrivateKey(wrapped, other.publicKey, 'correct horse battery')).rejects.toThrow();
    const ct = fromBase64Url(wrapped.ciphertext);
    ct[3] = (ct[3] ?? 0) ^ 0x80;
    await expect(
      unwrapPrivateKey({ ...wrapped, ciphertext: toBase64Url(ct) }, pair.publicKey, 'correct horse battery'),
    ).rejects.toThrow();
  }, 30_000);

  it('refuses short passphrases and malformed blobs', async () => {
    const pair = await generatePerkKeyPair();
    await expect(wrapPrivateKey(pair.privateKey, pair.publicKey, 'short')).rejects.toThrow(/at least/);
    expect(
      isWrappedKey({ v: 1, kdf: 'pbkdf2-sha256', iterations: 5, salt: 'a', iv: 'b', ciphertext: 'c' }),
    ).toBe(true);
    expect(isWrappedKey({ v: 2 })).toBe(false);
    expect(
      isWrappedKey({ v: 1, kdf: 'pbkdf2-sha256', iterations: 5, salt: 'a', iv: 'b', ciphertext: 'c', x: 1 }),
    ).toBe(false);
  });
});

describe('personal usage entries', () => {
  it('seal on the device, open in the browser; bound to their ledger slot', async () => {
    const pair = await generatePerkKeyPair();
    const enrollment = { id: 'enr-1', publicKey: pair.publicKey };
    const entry = await sealPersonalUsage(enrollment, usage);
    expect(entry.client_id).toMatch(/^[0-9a-f]{32}$/);
    expect(entry.client_id).toBe(await clientIdOf(pair.publicKey, usage.id));
    const text = JSON.stringify(entry);
    for (const clear of ['chatgpt', 'openai', '2048', '8192', usage.id]) expect(text).not.toContain(clear);
    expect(await openPersonalUsage(pair.privateKey, entry)).toEqual(usage);
    await expect(openPersonalUsage(pair.privateKey, { ...entry, enrollment_id: 'enr-2' })).rejects.toThrow();
    await expect(
      openPersonalUsage(pair.privateKey, { ...entry, client_id: '0'.repeat(32) }),
    ).rejects.toThrow();
  });

  it('pads plaintexts so that length does not reveal the host', async () => {
    const short = encodePersonalUsage({ ...usage, host: 'x.ai' });
    const long = encodePersonalUsage({ ...usage, host: 'generativelanguage.googleapis.com' });
    expect(short.length).toBe(PAD_TO);
    expect(long.length).toBe(short.length);
  });
});

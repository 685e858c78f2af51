import { describe, expect, it } from 'vitest';
import {
  decryptInitialPacket,
  deriveInitialKeys,
  deriveInitialSecret,
  LongHeader,
  parseLongHeader,
  QUIC_V1,
  QUIC_V2,
} from './quic-initial.js';
import { buildRfcClientInitial, RFC_DCID } from './testing/quic-vectors.js';
import { parseClientHello } from './tls-client-hello.js';

const dcid = Buffer.from(RFC_DCID, 'hex');

describe('QUIC Initial keys (RFC 9001 / RFC 9369 Appendix A)', () => {
  it('derives the v1 secrets and keys', () => {
    expect(deriveInitialSecret(QUIC_V1, dcid)?.toString('hex')).toBe(
      '7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44',
    );
    const c = deriveInitialKeys(QUIC_V1, dcid)!;
    expect(c.secret.toString('hex')).toBe('c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
    expect(c.key.toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(c.iv.toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(c.hp.toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
    const s = deriveInitialKeys(QUIC_V1, dcid, 'server')!;
    expect(s.secret.toString('hex')).toBe('3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b');
    expect(s.key.toString('hex')).toBe('cf3a5331653c364c88f0f379b6067e37');
    expect(s.iv.toString('hex')).toBe('0ac1493ca1905853b0bba03e');
    expect(s.hp.toString('hex')).toBe('c206b8d9b9f0f37644430b490eeaa314');
  });

  it('derives the v2 secrets and keys', () => {
    expect(deriveInitialSecret(QUIC_V2, dcid)?.toString('hex')).toBe(
      '2062e8b3cd8d52092614b8071d0aa1fb7c2e3ac193f78b280e72d8f5751f6aba',
    );
    const c = deriveInitialKeys(QUIC_V2, dcid)!;
    expect(c.secret.toString('hex')).toBe('14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b');
    expect(c.key.toString('hex')).toBe('8b1a0bc121284290a29e0971b5cd045d');
    expect(c.iv.toString('hex')).toBe('91f73e2351d8fa91660e909f');
    expect(c.hp.toString('hex')).toBe('45b95e15235d6f45a6b19cbcb0294ba9');
    const s = deriveInitialKeys(QUIC_V2, dcid, 'server')!;
    expect(s.secret.toString('hex')).toBe('0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1');
    expect(s.key.toString('hex')).toBe('82db637861d55e1d011f19ea71d5d2a7');
    expect(s.iv.toString('hex')).toBe('dd13c276499c0249d3310652');
    expect(s.hp.toString('hex')).toBe('edf6d05c83121201b436e16877593c3a');
  });

  for (const [name, version, head, tail] of [
    [
      'v1',
      QUIC_V1,
      'c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c',
      'e221af44860018ab0856972e194cd934',
    ],
    [
      'v2',
      QUIC_V2,
      'd76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485',
      'a18b2faa745b6fe189cf772a9f84cbfc',
    ],
  ] as const) {
    it(`protects the RFC ${name} client Initial exactly and decrypts it back to SNI example.com`, () => {
      const pkt = buildRfcClientInitial(version);
      expect(pkt.length).toBe(1200);
      expect(pkt.subarray(0, head.length / 2).toString('hex')).toBe(head);
      expect(pkt.subarray(1200 - 16).toString('hex')).toBe(tail);
      const h = new LongHeader();
      expect(parseLongHeader(pkt, 0, pkt.length, h)).toBe(true);
      const pt = decryptInitialPacket(pkt, h, deriveInitialKeys(version, dcid)!);
      expect(pt?.length).toBe(1162);
      expect(pt!.subarray(0, 4).toString('hex')).toBe('060040f1');
      const hello = parseClientHello(pt!, 4, pt!.length);
      expect(hello?.sni).toBe('example.com');
      // A flipped ciphertext bit must fail authentication, not return garbage.
      const bad = Buffer.from(pkt);
      bad[100] = bad[100]! ^ 1;
      expect(decryptInitialPacket(bad, h, deriveInitialKeys(version, dcid)!)).toBeNull();
    });
  }
});

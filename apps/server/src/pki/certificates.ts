import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { AppError } from '@toktra/core';
import { type DeviceIdentity, deviceUri, orgCaUri } from './identity.js';
import { KEY_ALGORITHM, SIGNING_ALGORITHM, subtle, x509 } from './x509.js';

/** A CA that can sign: its certificate and its (decrypted, in-memory only) private key. */
export interface Authority {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
  readonly pem: string;
  readonly fingerprint: string;
}

const DAY = 24 * 60 * 60 * 1000;
export const VALIDITY = {
  root: 20 * 365 * DAY,
  orgCa: 10 * 365 * DAY,
  device: 365 * DAY,
  server: 90 * DAY,
} as const;
/** Certificates start a little in the past so small clock skew between hosts does not bite. */
const BACKDATE = 5 * 60 * 1000;

export function generateKeyPair(): Promise<CryptoKeyPair> {
  return subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** Positive 128-bit serial in hex (the top bit cleared keeps the DER integer positive). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

export function fingerprintOf(cert: x509.X509Certificate): string {
  return createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex');
}

export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  return subtle.importKey(
    'pkcs8',
    x509.PemConverter.decode(pem)[0] ?? new ArrayBuffer(0),
    KEY_ALGORITHM,
    false,
    ['sign'],
  );
}

export function toAuthority(cert: x509.X509Certificate, key: CryptoKey): Authority {
  return { cert, key, pem: cert.toString('pem'), fingerprint: fingerprintOf(cert) };
}

async function caExtensions(publicKey: CryptoKey, pathLength: number | undefined, issuer?: Authority) {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
  if (issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey));
  return extensions;
}

export async function createRootAuthority(now = new Date()): Promise<Authority> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=Toktra Root CA ${randomBytes(4).toString('hex')}, O=Toktra`,
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter: new Date(now.getTime() + VALIDITY.root),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: await caExtensions(keys.publicKey, 1),
  });
  return toAuthority(cert, keys.privateKey);
}

/** An org's issuing CA: may sign only end-entity certificates (path length 0). */
export async function createOrgAuthority(
  root: Authority,
  orgId: string,
  now = new Date(),
): Promise<Authority> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=Toktra Org CA ${orgId}, O=Toktra`,
    issuer: root.cert.subject,
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter: new Date(Math.min(now.getTime() + VALIDITY.orgCa, root.cert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: root.key,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      ...(await caExtensions(keys.publicKey, 0, root)),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: orgCaUri(orgId) }]),
    ],
  });
  return toAuthority(cert, keys.privateKey);
}

/** The ingest server's TLS certificate, signed by the root, for loopback plus `hosts`. */
export async function issueServerCertificate(
  root: Authority,
  hosts: string[],
  now = new Date(),
): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateKeyPair();
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])].map((host) => ({
    type: isIP(host) ? ('ip' as const) : ('dns' as const),
    value: host,
  }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=Toktra ingest, O=Toktra',
    issuer: root.cert.subject,
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter: new Date(now.getTime() + VALIDITY.server),
    publicKey: keys.publicKey,
    signingKey: root.key,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(root.cert.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

export interface DeviceCertificateOptions {
  /** Only tests move these (to mint an expired certificate); enrollment uses now + 1 year. */
  notBefore?: Date;
  notAfter?: Date;
}

export async function issueDeviceCertificate(
  orgCa: Authority,
  publicKey: CryptoKey,
  identity: DeviceIdentity,
  options: DeviceCertificateOptions = {},
): Promise<x509.X509Certificate> {
  const now = Date.now();
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${identity.deviceId}, O=Toktra device`,
    issuer: orgCa.cert.subject,
    notBefore: options.notBefore ?? new Date(now - BACKDATE),
    notAfter: options.notAfter ?? new Date(Math.min(now + VALIDITY.device, orgCa.cert.notAfter.getTime())),
    publicKey,
    signingKey: orgCa.key,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: deviceUri(identity) }]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(orgCa.cert.publicKey),
    ],
  });
}

const ACCEPTED_CURVES = new Set(['P-256', 'P-384']);

/**
 * Parses a PEM CSR and checks its self-signature (proof the requester holds the private key).
 * Only the public key is used: the subject and any requested extensions are ignored, because
 * the server alone decides what identity the certificate carries.
 */
export async function readCsr(pem: string): Promise<CryptoKey> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch {
    throw new AppError('validation_failed', 'csr: not a PEM-encoded PKCS#10 certificate request');
  }
  const algorithm = csr.publicKey.algorithm as EcKeyAlgorithm;
  if (algorithm.name !== 'ECDSA' || !ACCEPTED_CURVES.has(algorithm.namedCurve)) {
    throw new AppError('validation_failed', 'csr: the key must be ECDSA on P-256 or P-384');
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  if (!valid) throw new AppError('validation_failed', 'csr: the signature does not verify');
  return csr.publicKey.export();
}

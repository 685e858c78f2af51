import type { TLSSocket } from 'node:tls';
import type { AppContext } from '../context.js';
import { type DeviceIdentity, readDeviceIdentity } from '../pki/identity.js';
import { findOrgAuthorities } from '../pki/store.js';
import { x509 } from '../pki/x509.js';
import { IngestRefusal, reasonOfVerifyError } from './refusals.js';

interface LeafFacts {
  identity: DeviceIdentity | null;
  serial: string;
  /** Whether a CA of the org named in the SAN signed this certificate. */
  signedByOrg: boolean;
}

/** Parsing and signature checks are per certificate, not per request: cache them by fingerprint. */
const leafCache = new Map<string, LeafFacts>();
const LEAF_CACHE_MAX = 10_000;

async function factsOf(ctx: AppContext, raw: Buffer, fingerprint: string): Promise<LeafFacts> {
  const hit = leafCache.get(fingerprint);
  if (hit) return hit;
  const cert = new x509.X509Certificate(new Uint8Array(raw));
  const identity = readDeviceIdentity(cert);
  let signedByOrg = false;
  if (identity) {
    const authorities = await findOrgAuthorities(ctx, identity.orgId);
    for (const ca of authorities?.all ?? []) {
      if (await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true })) signedByOrg = true;
    }
  }
  const facts = { identity, serial: cert.serialNumber, signedByOrg };
  if (leafCache.size >= LEAF_CACHE_MAX) leafCache.clear();
  leafCache.set(fingerprint, facts);
  return facts;
}

/**
 * Who is on the other end of this TLS connection. OpenSSL has already checked the chain to the
 * Toktra root (the only trust anchor) and the validity dates; here we require a device identity
 * in the SAN, that the org named there is the org whose CA signed the certificate, and that the
 * device exists in that org, is not revoked and still holds this certificate. Runs per request,
 * so a revocation applies to open keep-alive connections too.
 */
export async function authenticateDevice(ctx: AppContext, socket: TLSSocket): Promise<DeviceIdentity> {
  const peer = socket.getPeerCertificate();
  if (!peer?.raw) {
    throw new IngestRefusal(
      'no_certificate',
      'a device certificate is required (enroll with toktra agent enroll)',
    );
  }
  if (!socket.authorized) {
    const code = String(socket.authorizationError ?? 'UNKNOWN');
    const reason = reasonOfVerifyError(code);
    const message =
      reason === 'expired'
        ? 'the device certificate has expired or is not yet valid; re-enroll the device'
        : reason === 'unknown_ca'
          ? 'the device certificate was not issued by this Toktra server'
          : `the device certificate was refused (${code})`;
    throw new IngestRefusal(reason, message);
  }
  const facts = await factsOf(ctx, peer.raw, peer.fingerprint256);
  if (!facts.identity) {
    throw new IngestRefusal('bad_identity', 'the certificate carries no Toktra device identity');
  }
  if (!facts.signedByOrg) {
    throw new IngestRefusal('org_mismatch', "the certificate was not issued by its organisation's CA");
  }
  const { orgId, deviceId } = facts.identity;
  const device = await ctx.deviceStatus.lookup(ctx.db, orgId, deviceId);
  if (!device) throw new IngestRefusal('unknown_device', 'this device is not enrolled in its organisation');
  if (device.status === 'revoked') throw new IngestRefusal('revoked', 'this device has been revoked');
  if (device.certSerial !== facts.serial) {
    throw new IngestRefusal('superseded', 'this certificate has been replaced; use the current one');
  }
  return facts.identity;
}

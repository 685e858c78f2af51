import { isUuid } from '@toktra/core';
import { x509 } from './x509.js';

/**
 * A device's identity lives in its certificate as one SAN URI; the ingest server derives the
 * org from it (and checks that org's CA signed the certificate), never from a request body.
 */
const DEVICE_URI = /^urn:toktra:org:([0-9a-f-]{36}):device:([0-9a-f-]{36})$/;

export interface DeviceIdentity {
  orgId: string;
  deviceId: string;
}

export function deviceUri(identity: DeviceIdentity): string {
  return `urn:toktra:org:${identity.orgId}:device:${identity.deviceId}`;
}

/** The org CA carries its org as a SAN URI too, so a CA certificate says whose it is. */
export function orgCaUri(orgId: string): string {
  return `urn:toktra:org:${orgId}`;
}

export function parseDeviceUri(uri: string): DeviceIdentity | null {
  const match = DEVICE_URI.exec(uri);
  if (!match?.[1] || !match[2] || !isUuid(match[1]) || !isUuid(match[2])) return null;
  return { orgId: match[1], deviceId: match[2] };
}

/** The one device identity in a certificate, or null when it has none or more than one. */
export function readDeviceIdentity(cert: x509.X509Certificate): DeviceIdentity | null {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = san?.names.items.filter((n) => n.type === 'url').map((n) => n.value) ?? [];
  const identities = uris.map(parseDeviceUri).filter((i): i is DeviceIdentity => i !== null);
  return identities.length === 1 && uris.length === 1 ? (identities[0] ?? null) : null;
}

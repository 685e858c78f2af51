import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { AppError } from '@toktra/core';
import ipaddr from 'ipaddr.js';

/**
 * Outgoing requests to URLs that org admins choose must not reach the server's own network
 * (SSRF): loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT, unique-local,
 * multicast and unspecified addresses are refused. Only ipaddr's "unicast" range passes. The check
 * runs inside the socket's DNS lookup, so the address we vet is the address we connect to (no
 * DNS-rebinding window between a check and the connection).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

export class BlockedAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private, loopback or link-local address`);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for http(s).request that refuses non-public addresses unless `allowPrivate`. */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const blocked = allowPrivate ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), []);
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Validates a webhook URL when it is saved: http(s) only, no credentials, and — unless private
 * targets are allowed — a host that resolves only to public addresses. Bad input → 400.
 */
export async function assertDeliverableUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('validation_failed', 'url is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('validation_failed', 'url must be http(s)');
  }
  if (url.username || url.password) throw new AppError('validation_failed', 'url must not carry credentials');
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await new Promise<string[]>((resolve) =>
        dnsLookup(host, { all: true }, (err, list) => resolve(err ? [] : list.map((a) => a.address))),
      );
  if (addresses.length === 0) throw new AppError('validation_failed', `url host ${host} does not resolve`);
  const bad = addresses.find((a) => !isPublicAddress(a));
  if (bad) {
    throw new AppError(
      'validation_failed',
      `url host ${host} resolves to ${bad}, a private, loopback or link-local address (refused; see TOKTRA_ALLOW_PRIVATE_URLS)`,
    );
  }
  return url;
}

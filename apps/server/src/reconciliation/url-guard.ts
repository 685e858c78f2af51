import { isIP } from 'node:net';
import { AppError } from '@toktra/core';

/**
 * `base_url` points a connection at a proxy (or, in tests, a loopback fake). The server will send
 * provider credentials there, so only https to public hosts is allowed; http and private or
 * loopback addresses need TOKTRA_ALLOW_PRIVATE_URLS=1 (tests, air-gapped proxies). Host names are
 * not resolved here: pair this with egress rules if a DNS name could point inside the network.
 */
export function allowPrivateUrls(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TOKTRA_ALLOW_PRIVATE_URLS === '1';
}

function isPrivateAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.internal') || h.endsWith('.local'))
    return true;
  const kind = isIP(h);
  if (kind === 4) {
    const [a = 0, b = 0] = h.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (kind === 6) {
    return (
      h === '::1' ||
      h === '::' ||
      h.startsWith('fc') ||
      h.startsWith('fd') ||
      h.startsWith('fe80') ||
      h.startsWith('::ffff:')
    );
  }
  return false;
}

/** Returns the normalised base URL (no trailing slash) or throws `validation_failed`. */
export function checkBaseUrl(raw: string, allowPrivate = allowPrivateUrls()): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('validation_failed', 'base_url is not a valid URL');
  }
  if (url.username || url.password)
    throw new AppError('validation_failed', 'base_url must not contain credentials');
  if (url.search || url.hash)
    throw new AppError('validation_failed', 'base_url must not have a query or fragment');
  const privateHost = isPrivateAddress(url.hostname);
  if (url.protocol === 'https:' && !privateHost) return url.toString().replace(/\/+$/, '');
  if (allowPrivate && (url.protocol === 'https:' || url.protocol === 'http:') && privateHost) {
    return url.toString().replace(/\/+$/, '');
  }
  throw new AppError(
    'validation_failed',
    privateHost
      ? 'base_url points at a private or loopback address; set TOKTRA_ALLOW_PRIVATE_URLS=1 to allow it'
      : 'base_url must use https',
  );
}

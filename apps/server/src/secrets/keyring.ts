import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@toktra/core';
import type { ServerConfig } from '../config.js';

/** A key-encryption key: the master key plus a short id stored beside every blob it wraps. */
export interface Kek {
  readonly id: string;
  readonly key: Buffer;
}

/** The current master key (wraps new secrets) and retired ones (still unwrap old secrets). */
export interface Keyring {
  readonly current: Kek;
  find(id: string): Kek | undefined;
}

const KEY_BYTES = 32;

/** The id is a hash of the key, so a blob names the key it needs without revealing it. */
export function kekId(key: Buffer): string {
  return createHash('sha256').update('toktra-kek-id:').update(key).digest('hex').slice(0, 16);
}

export function parseMasterKey(base64: string, origin: string): Kek {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new AppError(
      'validation_failed',
      `${origin} must be ${KEY_BYTES} random bytes in base64 (got ${key.length} bytes); ` +
        'generate one with: openssl rand -base64 32',
    );
  }
  return { id: kekId(key), key };
}

export function createKeyring(current: Kek, previous: Kek[] = []): Keyring {
  const byId = new Map([...previous, current].map((k) => [k.id, k]));
  return { current, find: (id) => byId.get(id) };
}

/**
 * Reads `<dataDir>/master.key`, creating it (mode 0600, exclusive create so two processes
 * racing on first start agree on one key) when it does not exist yet.
 */
export function loadOrCreateKeyFile(dataDir: string): Kek {
  const file = path.join(dataDir, 'master.key');
  try {
    return parseMasterKey(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseMasterKey(readFileSync(file, 'utf8'), file);
}

/** TOKTRA_MASTER_KEY wins; otherwise the key file in the data dir. */
export function loadKeyring(
  config: Pick<ServerConfig, 'masterKey' | 'previousMasterKeys' | 'dataDir'>,
): Keyring {
  const current = config.masterKey
    ? parseMasterKey(config.masterKey, 'TOKTRA_MASTER_KEY')
    : loadOrCreateKeyFile(config.dataDir);
  const previous = config.previousMasterKeys.map((k) => parseMasterKey(k, 'TOKTRA_MASTER_KEY_PREVIOUS'));
  return createKeyring(current, previous);
}

/** Loads the keyring on first use, so contexts that never touch a secret never touch the disk. */
export function lazyKeyring(
  config: Pick<ServerConfig, 'masterKey' | 'previousMasterKeys' | 'dataDir'>,
): () => Keyring {
  let keyring: Keyring | undefined;
  return () => {
    keyring ??= loadKeyring(config);
    return keyring;
  };
}

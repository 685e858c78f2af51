import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@toktra/core';

export interface LockInfo {
  pid: number;
  kind: 'server' | 'admin';
  adminSocket?: string;
  startedAt: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/**
 * Embedded PGlite must have one process per data dir, or its files get corrupted. The lock file
 * records who holds the dir; a lock whose process is gone is stale and taken over.
 */
export function acquireDataDirLock(dataDir: string, info: Omit<LockInfo, 'pid' | 'startedAt'>): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'toktra.lock');
  const body = JSON.stringify({ ...info, pid: process.pid, startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, body, { flag: 'wx', mode: 0o600 });
      return { path: lockPath, release: () => rmSync(lockPath, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readDataDirLock(dataDir);
      if (holder) throw lockedError(dataDir, holder);
      rmSync(lockPath, { force: true });
    }
  }
  throw new AppError('data_dir_locked', `could not lock ${dataDir}`);
}

/** The live holder of the data dir, or undefined when it is free (or the holder died). */
export function readDataDirLock(dataDir: string): LockInfo | undefined {
  let info: LockInfo;
  try {
    info = JSON.parse(readFileSync(path.join(dataDir, 'toktra.lock'), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
  return isAlive(info.pid) ? info : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(dataDir: string, holder: LockInfo): AppError {
  const who = holder.kind === 'server' ? 'a running toktra server' : 'another toktra admin command';
  return new AppError(
    'data_dir_locked',
    `the data dir ${dataDir} is in use by ${who} (pid ${holder.pid}). ` +
      (holder.kind === 'server'
        ? 'Stop it first, or use another --data-dir.'
        : 'Wait for it to finish and try again.'),
    { pid: holder.pid },
  );
}

import path from 'node:path';
import pino from 'pino';
import { resolveConfig, type ServerOptions } from '../config.js';
import { createContext } from '../context.js';
import { acquireDataDirLock, readDataDirLock } from '../data-dir-lock.js';
import { openServerDatabase } from '../database.js';
import { type AdminCommandName, runAdminCommand } from './commands.js';
import { callAdminSocket } from './socket.js';

/**
 * Runs an admin command wherever the data lives: through the running server that holds an
 * embedded data dir, or directly against the database (holding the data dir's lock meanwhile).
 */
export async function executeAdminCommand(
  options: Pick<ServerOptions, 'dataDir' | 'databaseUrl'>,
  command: AdminCommandName,
  input: unknown,
): Promise<unknown> {
  const config = resolveConfig({ ...options, logLevel: 'warn' });
  if (!config.databaseUrl) {
    const holder = readDataDirLock(config.dataDir);
    if (holder?.kind === 'server' && holder.adminSocket)
      return callAdminSocket(holder.adminSocket, command, input);
  }
  const lock = config.databaseUrl ? undefined : acquireDataDirLock(config.dataDir, { kind: 'admin' });
  try {
    const db = await openServerDatabase(config);
    try {
      const ctx = createContext(config, db, pino({ level: 'warn' }, pino.destination(2)));
      return await runAdminCommand(ctx, command, input);
    } finally {
      await db.close();
    }
  } finally {
    lock?.release();
  }
}

export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, 'admin.sock');
}

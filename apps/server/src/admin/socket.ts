import { chmodSync, rmSync } from 'node:fs';
import http from 'node:http';
import { AppError, isAppError } from '@toktra/core';
import type { AppContext } from '../context.js';
import { STATUS_BY_CODE } from '../http/error-handler.js';
import { isAdminCommandName, runAdminCommand } from './commands.js';

/**
 * A Unix socket (mode 0600, inside the data dir) through which `toktra admin` reaches a running
 * embedded server: only a local user who can already read the data dir can use it.
 */
export async function listenAdminSocket(ctx: AppContext, socketPath: string): Promise<() => Promise<void>> {
  rmSync(socketPath, { force: true });
  const server = http.createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { command, input } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        command: string;
        input: unknown;
      };
      if (!isAdminCommandName(command)) throw new AppError('bad_request', `unknown admin command ${command}`);
      reply(200, { result: await runAdminCommand(ctx, command, input) });
    } catch (error) {
      if (!isAppError(error)) ctx.logger.error({ err: error }, 'admin command failed');
      const appError = isAppError(error) ? error : new AppError('internal', String(error));
      reply(STATUS_BY_CODE[appError.code], { error: { code: appError.code, message: appError.message } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  chmodSync(socketPath, 0o600);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

/** Sends one admin command to the server listening on `socketPath`. */
export function callAdminSocket(socketPath: string, command: string, input: unknown): Promise<unknown> {
  const payload = JSON.stringify({ command, input });
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: '/run', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (body.error) reject(new AppError(body.error.code, body.error.message));
            else resolve(body.result);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', (error) =>
      reject(
        new AppError(
          'database_unavailable',
          `cannot reach the running server's admin socket: ${error.message}`,
        ),
      ),
    );
    req.end(payload);
  });
}

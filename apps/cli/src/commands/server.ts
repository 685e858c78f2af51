import { type Command, InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
}

export function configureServerCommand(program: Command): void {
  program
    .command('server')
    .description('start the Toktra server (API, dashboard) on embedded PGlite or a PostgreSQL server')
    .option('--port <port>', 'HTTP port for the API and dashboard (default 8080, env PORT)', parsePort)
    .option(
      '--ingest-port <port>',
      'mutual-TLS port agents send usage to (default 8443, env TOKTRA_INGEST_PORT)',
      parsePort,
    )
    .option(
      '--public-host <host>',
      'name or IP agents reach this server by; added to the ingest certificate (env TOKTRA_PUBLIC_HOST)',
    )
    .option('--host <host>', 'address to listen on (default 127.0.0.1, env TOKTRA_HOST)')
    .option(
      '--data-dir <dir>',
      'embedded database and state directory (default .toktra, env TOKTRA_DATA_DIR)',
    )
    .option(
      '--database-url <url>',
      'use this PostgreSQL server instead of embedded PGlite (env DATABASE_URL)',
    )
    .option('--demo', 'seed a demo organisation with realistic history on first start')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (env LOG_LEVEL)')
    .action(async (options) => {
      // Loaded on use, so that `toktra agent …` does not load the server (~100 MiB of RSS).
      const { startServer } = await import('@toktra/server');
      const server = await startServer(options);
      process.stderr.write(`Toktra is running at ${server.url}\n`);
      process.stderr.write(`Agent ingest (mTLS) at ${server.ingestUrl}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          server.ctx.logger.info('shutting down');
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

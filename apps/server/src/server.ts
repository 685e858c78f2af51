import pino from 'pino';
import { adminSocketPath } from './admin/execute.js';
import { listenAdminSocket } from './admin/socket.js';
import { resolveConfig, type ServerOptions } from './config.js';
import { type AppContext, createContext } from './context.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { openServerDatabase } from './database.js';
import { closeEmailTransports } from './delivery/email.js';
import { startDemoActivity } from './demo/activity.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, seedDemoOrg } from './demo/seed.js';
import { buildHttpApp } from './http/app.js';
import { startIngestServer } from './ingest-server/server.js';
import { jobDefinitions, recurringJobs } from './jobs/registry.js';
import { JobRunner } from './jobs/runner.js';
import { startPolicyEngine } from './policies/engine.js';

export interface RunningServer {
  readonly ctx: AppContext;
  readonly url: string;
  readonly port: number;
  /** The mutual-TLS ingest server agents send batches to. */
  readonly ingestPort: number;
  readonly ingestUrl: string;
  close(): Promise<void>;
}

/** Starts the Toktra server: lock, open and migrate the database, then serve. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const config = resolveConfig(options);
  const logger = pino({ level: config.logLevel });
  const embedded = !config.databaseUrl;
  const socketPath = adminSocketPath(config.dataDir);
  const lock = embedded
    ? acquireDataDirLock(config.dataDir, { kind: 'server', adminSocket: socketPath })
    : undefined;
  const cleanup: Array<() => Promise<void> | void> = [() => lock?.release()];
  const close = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const db = await openServerDatabase(config, logger);
    cleanup.push(() => db.close());
    const ctx = createContext(config, db, logger);
    if (config.demo) {
      const demo = await seedDemoOrg(ctx);
      logger.info(
        { org_id: demo.orgId, email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD },
        'demo org ready',
      );
      cleanup.push(startDemoActivity(ctx, demo.orgId));
    }
    const app = await buildHttpApp(ctx);
    cleanup.push(() => app.close());
    // Durable event handlers (policies, Slack, webhooks) run right after this process's commits;
    // the job queued with each event is the backstop. Other processes' events arrive via NOTIFY.
    const policyEngine = startPolicyEngine(ctx);
    await ctx.events.start();
    cleanup.push(async () => {
      await ctx.events.stop();
      await policyEngine.idle();
      closeEmailTransports();
    });
    if (config.worker) {
      // A job whose worker died is reclaimed when its lock expires (TOKTRA_JOB_LOCK_MS; tests shorten it).
      const lockMs = Number(process.env.TOKTRA_JOB_LOCK_MS) || undefined;
      const runner = new JobRunner(ctx, jobDefinitions, recurringJobs, lockMs ? { lockMs } : {});
      runner.start();
      cleanup.push(() => runner.stop());
    }
    // The ingest server first: it creates the root CA on first start, and enrollment answers
    // with its URL.
    const ingest = await startIngestServer(ctx, { host: config.host, port: config.ingestPort });
    cleanup.push(() => ingest.close());
    ctx.ingestEndpoint.url = ingest.url;
    await app.listen({ host: config.host, port: config.port });
    if (embedded) cleanup.push(await listenAdminSocket(ctx, socketPath));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info(
      { url, ingest_url: ingest.url, data_dir: embedded ? config.dataDir : undefined },
      'toktra server ready',
    );
    return { ctx, url, port, ingestPort: ingest.port, ingestUrl: ingest.url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

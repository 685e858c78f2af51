import type { Database } from '@toktra/db';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ServerConfig } from './config.js';
import { DeviceStatusCache } from './devices/status-cache.js';
import { GovernanceBus } from './governance/bus.js';
import { RateLimiter } from './http/rate-limit.js';
import { createPkiCache, type PkiCache } from './pki/store.js';
import { PreflightStore } from './preflight/store.js';
import { type Keyring, lazyKeyring } from './secrets/keyring.js';
import { UsageBus } from './usage/bus.js';

/**
 * The composition root: everything a handler, job or admin command needs, built once and passed
 * explicitly. Services are plain functions that take `ctx.db` and the tenant; there is no DI.
 */
export interface AppContext {
  readonly config: ServerConfig;
  readonly db: Database;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** After-commit notices of ingested usage: SSE streams and budget/policy hooks subscribe. */
  readonly usageBus: UsageBus;
  /** Per-API-key request budget of the /v1 API (in memory, per process). */
  readonly rateLimiter: RateLimiter;
  /** After-commit governance notices: budget thresholds, shadow-AI gaps, risk events, alerts. */
  readonly governance: GovernanceBus;
  /** In-memory budget state per org that answers preflight without the database (preflight/store.ts). */
  readonly preflight: PreflightStore;
  /** The master-key keyring, loaded on first use; use secrets/service.ts, not this directly. */
  readonly keyring: () => Keyring;
  /** Decrypted root and org CAs, loaded on first use (pki/store.ts). */
  readonly pki: PkiCache;
  /** Device status for the ingest server's per-request revocation check (short TTL). */
  readonly deviceStatus: DeviceStatusCache;
  /** Set by startServer once the mTLS ingest server listens; enrollment answers with it. */
  readonly ingestEndpoint: { url: string | undefined };
}

export function createContext(config: ServerConfig, db: Database, logger?: Logger): AppContext {
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const resolvedLogger = logger ?? pino({ level: config.logLevel });
  return {
    config,
    db,
    logger: resolvedLogger,
    metrics,
    usageBus: new UsageBus(),
    rateLimiter: new RateLimiter(config.apiRateLimit),
    governance: new GovernanceBus((err) => resolvedLogger.error({ err }, 'governance subscriber failed')),
    preflight: new PreflightStore(),
    keyring: lazyKeyring(config),
    pki: createPkiCache(),
    deviceStatus: new DeviceStatusCache(),
    ingestEndpoint: { url: undefined },
  };
}

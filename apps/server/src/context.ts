import type { Database } from '@toktra/db';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ServerConfig } from './config.js';
import { DeviceStatusCache } from './devices/status-cache.js';
import { TierCache } from './efficiency/tiers.js';
import { wireCacheInvalidation } from './events/caches.js';
import { EventFeed } from './events/feed.js';
import { eventHandlers } from './events/registry.js';
import { RateLimiter } from './http/rate-limit.js';
import { createPkiCache, type PkiCache } from './pki/store.js';
import { ApiKeyCache } from './preflight/api-key-cache.js';
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
  /**
   * Domain events (outbox, events/): this process's commits at once, other processes' through
   * LISTEN/NOTIFY; caches and SSE listen, durable handlers run from it eagerly and from jobs.
   */
  readonly events: EventFeed;
  /** Per-process caches; each is invalidated only by domain events (events/caches.ts). */
  readonly caches: { readonly apiKeys: ApiKeyCache; readonly tiers: TierCache };
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
  const ctx: AppContext = {
    config,
    db,
    logger: resolvedLogger,
    metrics,
    usageBus: new UsageBus(),
    rateLimiter: new RateLimiter(config.apiRateLimit),
    events: new EventFeed(eventHandlers, resolvedLogger),
    caches: { apiKeys: new ApiKeyCache(), tiers: new TierCache() },
    preflight: new PreflightStore(),
    keyring: lazyKeyring(config),
    pki: createPkiCache(),
    deviceStatus: new DeviceStatusCache(),
    ingestEndpoint: { url: undefined },
  };
  ctx.events.bind(ctx);
  wireCacheInvalidation(ctx);
  return ctx;
}

import path from 'node:path';
import type { DatabaseTarget } from '@toktra/db';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  demo: boolean;
  /** Per-API-key token bucket: sustained requests per minute and the burst on top. */
  apiRateLimit: RateLimitConfig;
  /** How often an idle SSE stream gets a heartbeat comment, so proxies keep it open. */
  sseHeartbeatMs: number;
  /** Run background jobs in this process (default); set TOKTRA_WORKER=0 for API-only nodes. */
  worker: boolean;
  /** Port of the mutual-TLS ingest server (0 = any free port). */
  ingestPort: number;
  /** Extra host name or IP the ingest certificate is valid for and agents are told to use. */
  publicHost: string | undefined;
  /** Base64 of the 32-byte master key; unset = `<dataDir>/master.key`, created once. */
  masterKey: string | undefined;
  /** Retired master keys (base64), still accepted for decryption while secrets are re-wrapped. */
  previousMasterKeys: string[];
  /** Outgoing mail (policy emails): `SMTP_URL`, e.g. smtp://user:pass@host:587; unset = mail is logged, not sent. */
  smtpUrl: string | undefined;
  /** The From: address of outgoing mail (`TOKTRA_EMAIL_FROM`). */
  emailFrom: string;
  /** Let outgoing webhooks reach loopback/private/link-local addresses (`TOKTRA_ALLOW_PRIVATE_URLS=1`; tests). */
  allowPrivateUrls: boolean;
}

export interface RateLimitConfig {
  requestsPerMinute: number;
  burst: number;
}

export interface ServerOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  demo?: boolean;
  apiRateLimit?: RateLimitConfig;
  sseHeartbeatMs?: number;
  worker?: boolean;
  ingestPort?: number;
  publicHost?: string;
  smtpUrl?: string;
  emailFrom?: string;
  allowPrivateUrls?: boolean;
}

/** Flags win over environment variables, which win over defaults. */
export function resolveConfig(options: ServerOptions, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    host: options.host ?? env.TOKTRA_HOST ?? '127.0.0.1',
    port: options.port ?? (env.PORT ? Number(env.PORT) : 8080),
    dataDir: path.resolve(options.dataDir ?? env.TOKTRA_DATA_DIR ?? '.toktra'),
    databaseUrl: options.databaseUrl ?? env.DATABASE_URL ?? undefined,
    logLevel: options.logLevel ?? env.LOG_LEVEL ?? 'info',
    demo: options.demo ?? false,
    apiRateLimit: options.apiRateLimit ?? {
      requestsPerMinute: env.TOKTRA_API_RATE_LIMIT ? Number(env.TOKTRA_API_RATE_LIMIT) : 600,
      burst: env.TOKTRA_API_RATE_BURST ? Number(env.TOKTRA_API_RATE_BURST) : 120,
    },
    sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
    worker: options.worker ?? env.TOKTRA_WORKER !== '0',
    // An ephemeral API port (tests) implies an ephemeral ingest port unless one is named.
    ingestPort:
      options.ingestPort ??
      (env.TOKTRA_INGEST_PORT ? Number(env.TOKTRA_INGEST_PORT) : options.port === 0 ? 0 : 8443),
    publicHost: options.publicHost ?? (env.TOKTRA_PUBLIC_HOST || undefined),
    masterKey: env.TOKTRA_MASTER_KEY || undefined,
    previousMasterKeys: (env.TOKTRA_MASTER_KEY_PREVIOUS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    smtpUrl: options.smtpUrl ?? (env.SMTP_URL || undefined),
    emailFrom: options.emailFrom ?? env.TOKTRA_EMAIL_FROM ?? 'Toktra <toktra@localhost>',
    allowPrivateUrls: options.allowPrivateUrls ?? env.TOKTRA_ALLOW_PRIVATE_URLS === '1',
  };
}

export function databaseTarget(config: Pick<ServerConfig, 'dataDir' | 'databaseUrl'>): DatabaseTarget {
  return config.databaseUrl ? { url: config.databaseUrl } : { dataDir: path.join(config.dataDir, 'pgdata') };
}

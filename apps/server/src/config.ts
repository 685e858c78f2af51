import path from 'node:path';
import { AppError } from '@toktra/core';
import { REGIONS, type Region } from '@toktra/db';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Data residency, served mode: one PostgreSQL URL per region (`DATABASE_URL_EU`, …). */
  regionDatabaseUrls: Partial<Record<Region, string>>;
  /** The control plane (org → region) when regions have their own URLs (`TOKTRA_CONTROL_DATABASE_URL`). */
  controlDatabaseUrl: string | undefined;
  /** The region `DATABASE_URL` (or the embedded `pgdata`) holds (`TOKTRA_HOME_REGION`, default us). */
  homeRegion: Region;
  logLevel: string;
  demo: boolean;
  /** Run background jobs in this process (default); set TOKTRA_WORKER=0 for API-only nodes. */
  worker: boolean;
  /** Per-API-key token bucket: sustained requests per minute and the burst on top. */
  apiRateLimit: RateLimitConfig;
  /** How often an idle SSE stream gets a heartbeat comment, so proxies keep it open. */
  sseHeartbeatMs: number;
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
  /** The Slack app (integrations/slack): SLACK_* environment variables. */
  slack: SlackConfig;
  /** Public base URL of the dashboard/API (`TOKTRA_PUBLIC_URL`), for OAuth redirects and links. */
  publicUrl: string | undefined;
}

export interface SlackConfig {
  /** Single-workspace token (`SLACK_BOT_TOKEN`), registrable without OAuth. */
  botToken: string | undefined;
  signingSecret: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** `SLACK_APP_TOKEN` (xapp-…): when set, Socket Mode is used in addition to HTTP. */
  appToken: string | undefined;
  /** Web API base (`SLACK_API_URL`, default https://slack.com/api/); tests point it at a fake. */
  apiUrl: string;
  /** Authorize page (`SLACK_AUTHORIZE_URL`, default https://slack.com/oauth/v2/authorize). */
  authorizeUrl: string;
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
  regionDatabaseUrls?: Partial<Record<Region, string>>;
  controlDatabaseUrl?: string;
  homeRegion?: Region;
  logLevel?: string;
  demo?: boolean;
  worker?: boolean;
  apiRateLimit?: RateLimitConfig;
  sseHeartbeatMs?: number;
  ingestPort?: number;
  publicHost?: string;
  smtpUrl?: string;
  emailFrom?: string;
  allowPrivateUrls?: boolean;
  slack?: Partial<SlackConfig>;
  publicUrl?: string;
}

/** Flags win over environment variables, which win over defaults. */
export function resolveConfig(options: ServerOptions, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    host: options.host ?? env.TOKTRA_HOST ?? '127.0.0.1',
    port: options.port ?? (env.PORT ? Number(env.PORT) : 8080),
    dataDir: path.resolve(options.dataDir ?? env.TOKTRA_DATA_DIR ?? '.toktra'),
    databaseUrl: options.databaseUrl ?? env.DATABASE_URL ?? undefined,
    regionDatabaseUrls: options.regionDatabaseUrls ?? regionUrlsFromEnv(env),
    controlDatabaseUrl: options.controlDatabaseUrl ?? (env.TOKTRA_CONTROL_DATABASE_URL || undefined),
    homeRegion: options.homeRegion ?? parseRegion(env.TOKTRA_HOME_REGION ?? 'us', 'TOKTRA_HOME_REGION'),
    logLevel: options.logLevel ?? env.LOG_LEVEL ?? 'info',
    demo: options.demo ?? false,
    worker: options.worker ?? env.TOKTRA_WORKER !== '0',
    apiRateLimit: options.apiRateLimit ?? {
      requestsPerMinute: env.TOKTRA_API_RATE_LIMIT ? Number(env.TOKTRA_API_RATE_LIMIT) : 600,
      burst: env.TOKTRA_API_RATE_BURST ? Number(env.TOKTRA_API_RATE_BURST) : 120,
    },
    sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
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
    slack: {
      botToken: env.SLACK_BOT_TOKEN || undefined,
      signingSecret: env.SLACK_SIGNING_SECRET || undefined,
      clientId: env.SLACK_CLIENT_ID || undefined,
      clientSecret: env.SLACK_CLIENT_SECRET || undefined,
      appToken: env.SLACK_APP_TOKEN || undefined,
      apiUrl: env.SLACK_API_URL || 'https://slack.com/api/',
      authorizeUrl: env.SLACK_AUTHORIZE_URL || 'https://slack.com/oauth/v2/authorize',
      ...options.slack,
    },
    publicUrl: options.publicUrl ?? (env.TOKTRA_PUBLIC_URL || undefined),
  };
}

function regionUrlsFromEnv(env: NodeJS.ProcessEnv): Partial<Record<Region, string>> {
  const urls: Partial<Record<Region, string>> = {};
  for (const region of REGIONS) {
    const url = env[`DATABASE_URL_${region.toUpperCase()}`];
    if (url) urls[region] = url;
  }
  return urls;
}

export function parseRegion(value: string, what: string): Region {
  if ((REGIONS as readonly string[]).includes(value)) return value as Region;
  throw new AppError('validation_failed', `${what} must be one of ${REGIONS.join(', ')} (got "${value}")`);
}

import type { ColumnType, Generated } from 'kysely';

export type SessionAuthMethod = 'password' | 'oidc';

export interface SessionsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  /** SHA-256 (hex) of the cookie secret; the secret itself is never stored. */
  token_hash: string;
  auth_method: SessionAuthMethod;
  created_at: ColumnType<Date, never, never>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
  user_agent: string | null;
}

export interface OidcConfigsTable {
  org_id: string;
  issuer_url: string;
  client_id: string;
  /** Encrypted at rest; decrypt only when talking to the issuer. */
  client_secret_enc: string;
  email_domains: Generated<string[]>;
  default_role: Generated<'admin' | 'manager' | 'employee' | 'auditor'>;
  created_at: ColumnType<Date, never, never>;
  updated_at: Generated<Date>;
}

/** Sign-in throttle buckets (deployment-wide; keys are SHA-256 hashes). */
export interface SignInThrottleTable {
  key: string;
  attempts: number;
  window_started_at: Date;
  blocked_until: Date | null;
}

export interface PartialDB {
  sessions: SessionsTable;
  sign_in_throttle: SignInThrottleTable;
  oidc_configs: OidcConfigsTable;
}

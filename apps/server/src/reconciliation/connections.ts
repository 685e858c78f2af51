import { randomUUID } from 'node:crypto';
import { AppError, isUuid } from '@toktra/core';
import type {
  ConnectionProvider,
  ConnectionStatus,
  Database,
  ProviderConnectionsTable,
  Tx,
} from '@toktra/db';
import type { Selectable } from 'kysely';
import { type Actor, appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { decryptSecret, encryptSecret } from '../secrets/service.js';
import { createProviderClient } from './clients/index.js';
import { type Credentials, hintFor, parseCredentials } from './credentials.js';
import { ProviderError, type RetryPolicy } from './http.js';
import type { ProviderClient } from './types.js';
import { checkBaseUrl } from './url-guard.js';

export type ConnectionRow = Selectable<ProviderConnectionsTable>;

/** What the API shows of a connection: never the credentials, only a masked hint. */
export interface ConnectionView {
  id: string;
  provider: ConnectionProvider;
  name: string;
  base_url: string | null;
  credentials_hint: string;
  status: ConnectionStatus;
  last_error: string | null;
  last_synced_at: string | null;
  backfilled_at: string | null;
  created_at: string;
}

export function toView(row: ConnectionRow): ConnectionView {
  return {
    id: row.id,
    provider: row.provider,
    name: row.name,
    base_url: row.base_url,
    credentials_hint: row.credentials_hint,
    status: row.status,
    last_error: row.last_error,
    last_synced_at: row.last_synced_at?.toISOString() ?? null,
    backfilled_at: row.backfilled_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

const secretContext = (id: string) => `provider_connection:${id}`;

const DISPLAY: Record<ConnectionProvider, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'azure-openai': 'Azure OpenAI',
  'google-vertex': 'Google Vertex AI',
};

export interface CreateConnectionInput {
  provider: ConnectionProvider;
  credentials: unknown;
  base_url?: string | undefined;
  name?: string | undefined;
}

/** Validates, encrypts and stores a connection; the caller queues its first (backfill) sync in `onCreated`. */
export async function createConnection(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  input: CreateConnectionInput,
  /** Runs in the creating transaction (the caller queues the first sync there). */
  onCreated?: (tx: Tx, connectionId: string) => Promise<void>,
): Promise<ConnectionView> {
  const credentials = parseCredentials(input.provider, input.credentials);
  const baseUrl = input.base_url ? checkBaseUrl(input.base_url) : null;
  const id = randomUUID();
  const row = await ctx.db.withTenant(orgId, async (tx) => {
    const inserted = await tx.db
      .insertInto('provider_connections')
      .values({
        id,
        org_id: orgId,
        provider: input.provider,
        name: input.name ?? DISPLAY[input.provider],
        base_url: baseUrl,
        credentials_enc: encryptSecret(ctx, JSON.stringify(credentials), secretContext(id)),
        credentials_hint: hintFor(input.provider, credentials),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, orgId, actor, {
      action: 'provider_connection.create',
      targetType: 'provider_connection',
      targetId: id,
      details: { provider: input.provider, base_url: baseUrl },
    });
    await onCreated?.(tx, id);
    return inserted;
  });
  return toView(row);
}

export async function findConnection(tx: Tx, orgId: string, id: string): Promise<ConnectionRow> {
  // Not an id of ours in any org: the same 404 as a foreign one (and no SQL cast error).
  if (!isUuid(id)) throw new AppError('not_found', `provider connection ${id} not found`);
  const row = await tx.db
    .selectFrom('provider_connections')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `provider connection ${id} not found`);
  return row;
}

export async function getConnection(db: Database, orgId: string, id: string): Promise<ConnectionView> {
  return toView(await db.withTenant(orgId, (tx) => findConnection(tx, orgId, id)));
}

export async function listConnections(db: Database, orgId: string): Promise<ConnectionView[]> {
  const rows = await db.withTenant(orgId, (tx) =>
    tx.db
      .selectFrom('provider_connections')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .execute(),
  );
  return rows.map(toView);
}

/** Deletes the connection and, by cascade, the buckets it reported. */
export async function deleteConnection(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<void> {
  await ctx.db.withTenant(orgId, async (tx) => {
    const row = await findConnection(tx, orgId, id);
    await tx.db.deleteFrom('provider_connections').where('org_id', '=', orgId).where('id', '=', id).execute();
    await appendAudit(tx, orgId, actor, {
      action: 'provider_connection.delete',
      targetType: 'provider_connection',
      targetId: id,
      details: { provider: row.provider },
    });
  });
}

/** The decrypted client of a stored connection. */
export function clientFor(
  ctx: AppContext,
  row: ConnectionRow,
  options: { retry?: RetryPolicy; now?: () => Date } = {},
): ProviderClient {
  const credentials = JSON.parse(
    decryptSecret(ctx, row.credentials_enc, secretContext(row.id)),
  ) as Credentials;
  return createProviderClient(row.provider, credentials, { ...options, baseUrl: row.base_url ?? undefined });
}

/** "Test connection": one cheap authenticated call; the provider's answer, stated plainly. */
export async function testConnection(
  ctx: AppContext,
  orgId: string,
  id: string,
): Promise<{ ok: boolean; message: string }> {
  const row = await ctx.db.withTenant(orgId, (tx) => findConnection(tx, orgId, id));
  try {
    await clientFor(ctx, row, {
      retry: { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 5000 },
    }).testConnection();
    return { ok: true, message: `${DISPLAY[row.provider]} accepted the credentials` };
  } catch (error) {
    if (error instanceof ProviderError) return { ok: false, message: error.message };
    throw error;
  }
}

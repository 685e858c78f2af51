import { hash } from '@node-rs/argon2';
import { newEventId } from '@toktra/core';
import type { AppContext } from '../context.js';
import { createEnrollToken } from '../enrollment/tokens.js';
import type { SeededOrg } from '../usage/testing.js';

export const PASSWORD = 'correct horse battery';

/** Gives a seeded user a password, so the extension can enroll by signing in as them. */
export async function setPassword(ctx: AppContext, orgId: string, userId: string): Promise<void> {
  const passwordHash = await hash(PASSWORD);
  await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .execute(),
  );
}

export async function orgEnrollToken(ctx: AppContext, orgId: string, maxUses = 10): Promise<string> {
  const { token } = await createEnrollToken(
    ctx.db,
    orgId,
    { type: 'cli', id: null },
    { maxUses, ttlMs: 86_400_000 },
  );
  return token;
}

/** One extension request as the extension sends it. */
export function extensionRequest(overrides: Record<string, unknown> = {}) {
  return {
    id: newEventId(),
    started_at: new Date(Date.now() - 30_000).toISOString(),
    duration_ms: 900,
    host: 'api.openai.com',
    path_class: 'chat',
    method: 'POST',
    model: 'gpt-4o-mini',
    status_code: 200,
    bytes_up: 2_000,
    bytes_down: 8_000,
    ...overrides,
  };
}

/** One agent connection event (as on the mTLS ingest path) of the org's seeded device. */
export function agentConnection(at: Date, overrides: Record<string, unknown> = {}) {
  return {
    id: newEventId(),
    occurred_at: at.toISOString(),
    ended_at: new Date(at.getTime() + 5_000).toISOString(),
    host: 'api.openai.com',
    transport: 'tcp',
    bytes_up: 6_000,
    bytes_down: 40_000,
    duration_ms: 5_000,
    ...overrides,
  };
}

export const deviceOf = (org: SeededOrg) => ({ type: 'device' as const, deviceId: org.deviceId });

import { API_KEY_SCOPES, REGIONS } from '@toktra/db';
import { z } from 'zod';
import { createApiKey } from '../api-keys/service.js';
import { verifyAuditChain } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { revokeDevice } from '../devices/service.js';
import { parseDuration } from '../enrollment/duration.js';
import { createEnrollToken } from '../enrollment/tokens.js';
import { createOrg, listOrgs } from '../orgs/service.js';
import { rewrapCaKeys } from '../pki/store.js';
import { parseInput } from '../validation.js';

const cli = { type: 'cli', id: null } as const;

interface AdminCommand<S extends z.ZodType = z.ZodType> {
  input: S;
  run: (ctx: AppContext, input: z.output<S>) => Promise<unknown>;
}

function defineCommand<S extends z.ZodType>(input: S, run: AdminCommand<S>['run']): AdminCommand<S> {
  return { input, run };
}

/**
 * Every `toktra admin` operation, by name. The CLI runs them against the database directly, or
 * — when a server holds the embedded data dir — asks that server to run them over its admin
 * socket. Either way the same input schema and the same code apply.
 */
export const adminCommands = {
  'org.create': defineCommand(
    z.object({
      name: z.string().trim().min(1).max(200),
      adminEmail: z.email(),
      region: z.enum(REGIONS).optional(),
      regionLabelOnly: z.boolean().optional(),
      timeZone: z.string().optional(),
    }),
    async (ctx, input) => {
      const created = await createOrg(ctx.db, input);
      return { org_id: created.orgId, admin_password: created.adminPassword };
    },
  ),
  'org.list': defineCommand(z.object({}), async (ctx) => {
    const orgs = await listOrgs(ctx.db);
    return { orgs: orgs.map((o) => ({ id: o.id, name: o.name, region: o.region, time_zone: o.time_zone })) };
  }),
  'api-key.create': defineCommand(
    z.object({
      orgId: z.string(),
      name: z.string().trim().min(1).max(200).default('cli'),
      scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).default(['read']),
    }),
    async (ctx, input) => {
      const key = await createApiKey(ctx.db, input.orgId, cli, input);
      return { api_key: key.apiKey, id: key.id };
    },
  ),
  'enroll-token.create': defineCommand(
    z.object({
      orgId: z.string(),
      uses: z.coerce.number().int().min(1).max(100_000).default(1),
      ttl: z.string().default('24h'),
      userId: z.string().optional(),
    }),
    async (ctx, input) => {
      const created = await createEnrollToken(ctx.db, input.orgId, cli, {
        maxUses: input.uses,
        ttlMs: parseDuration(input.ttl),
        ownerUserId: input.userId,
      });
      return {
        token: created.token,
        id: created.id,
        max_uses: input.uses,
        expires_at: created.expiresAt.toISOString(),
      };
    },
  ),
  'device.revoke': defineCommand(
    z.object({ orgId: z.string(), deviceId: z.string() }),
    async (ctx, input) => {
      const device = await revokeDevice(ctx, input.orgId, input.deviceId, cli);
      return { device_id: device.id, status: device.status, revoked_at: device.revoked_at };
    },
  ),
  'secrets.rewrap': defineCommand(z.object({}), async (ctx) => ({
    rewrapped: await rewrapCaKeys(ctx),
    master_key_id: ctx.keyring().current.id,
  })),
  'audit.verify': defineCommand(z.object({ orgId: z.string() }), async (ctx, input) => {
    const result = await verifyAuditChain(ctx.db, input.orgId);
    return result.ok
      ? { ok: true, entries: result.entries }
      : { ok: false, entries: result.entries, broken_at_seq: result.brokenAtSeq, reason: result.reason };
  }),
} satisfies Record<string, AdminCommand>;

export type AdminCommandName = keyof typeof adminCommands;

export function isAdminCommandName(name: string): name is AdminCommandName {
  return Object.hasOwn(adminCommands, name);
}

export async function runAdminCommand(
  ctx: AppContext,
  name: AdminCommandName,
  rawInput: unknown,
): Promise<unknown> {
  const command: AdminCommand = adminCommands[name];
  return command.run(ctx, parseInput(command.input, rawInput));
}

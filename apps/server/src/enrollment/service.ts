import { hostname as machineHostname } from 'node:os';
import { AppError, newEventId } from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import { appendAudit } from '../audit/service.js';
import type { AppContext } from '../context.js';
import { fingerprintOf, issueDeviceCertificate, readCsr } from '../pki/certificates.js';
import { caChainPem, getOrgAuthorities } from '../pki/store.js';
import { resolveEnrollToken } from './tokens.js';

export interface EnrollInput {
  token: string;
  csr: string;
  hostname: string;
  os: string;
  agentVersion: string;
  osUser?: string | undefined;
}

export interface Enrollment {
  deviceId: string;
  orgId: string;
  certificate: string;
  caChain: string;
  ingestUrl: string;
}

/** The URL agents send batches to: the running ingest server, or what config says it will be. */
export function ingestUrlOf(ctx: Pick<AppContext, 'config' | 'ingestEndpoint'>): string {
  if (ctx.ingestEndpoint.url) return ctx.ingestEndpoint.url;
  const { publicHost, host, ingestPort } = ctx.config;
  const wildcard = host === '0.0.0.0' || host === '::';
  const name = publicHost ?? (wildcard ? machineHostname() : host);
  return `https://${name.includes(':') ? `[${name}]` : name}:${ingestPort}`;
}

/**
 * Spends one use of the token, atomically: the conditional UPDATE is the check, so two agents
 * racing for the last use cannot both win. Explains afterwards why a token was refused.
 */
async function consumeToken(tx: Tx, orgId: string, tokenId: string) {
  const spent = await tx.db
    .updateTable('enroll_tokens')
    .set({ uses: sql`uses + 1` })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .where('uses', '<', sql<number>`max_uses`)
    .returning(['owner_user_id'])
    .executeTakeFirst();
  if (spent) return spent;
  const token = await tx.db
    .selectFrom('enroll_tokens')
    .select(['uses', 'max_uses', 'revoked_at'])
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .executeTakeFirst();
  if (!token || token.revoked_at) throw new AppError('unauthorized', 'enrollment token is not valid');
  if (token.uses >= token.max_uses) {
    throw new AppError(
      'unauthorized',
      `enrollment token is used up (${token.uses} of ${token.max_uses} uses)`,
    );
  }
  throw new AppError('unauthorized', 'enrollment token has expired');
}

/** The owner when the OS user is the local part of exactly one org user's email. */
async function ownerFromOsUser(tx: Tx, orgId: string, osUser: string | undefined): Promise<string | null> {
  if (!osUser) return null;
  const matches = await tx.db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where(sql<string>`lower(split_part(email, '@', 1))`, '=', osUser.toLowerCase())
    .limit(2)
    .execute();
  return matches.length === 1 ? (matches[0]?.id ?? null) : null;
}

/** Verifies the CSR, spends a token use, records the device and signs its certificate. */
export async function enrollDevice(ctx: AppContext, input: EnrollInput): Promise<Enrollment> {
  const publicKey = await readCsr(input.csr);
  const token = await resolveEnrollToken(ctx.db, input.token);
  const orgId = token.orgId;
  const authorities = await getOrgAuthorities(ctx, orgId);
  const deviceId = newEventId();
  const certificate = await ctx.db.withTenant(orgId, async (tx) => {
    const { owner_user_id: tokenOwner } = await consumeToken(tx, orgId, token.id);
    const cert = await issueDeviceCertificate(authorities.active, publicKey, { orgId, deviceId });
    const owner = tokenOwner ?? (await ownerFromOsUser(tx, orgId, input.osUser));
    await tx.db
      .insertInto('devices')
      .values({
        id: deviceId,
        org_id: orgId,
        hostname: input.hostname,
        os: input.os,
        agent_version: input.agentVersion,
        os_user: input.osUser ?? null,
        owner_user_id: owner,
        cert_serial: cert.serialNumber,
        cert_fingerprint: fingerprintOf(cert),
        cert_not_after: cert.notAfter,
        last_seen_at: new Date(),
        enroll_token_id: token.id,
      })
      .execute();
    await appendAudit(
      tx,
      orgId,
      { type: 'device', id: deviceId },
      {
        action: 'device.enroll',
        targetType: 'device',
        targetId: deviceId,
        details: {
          hostname: input.hostname,
          os: input.os,
          agent_version: input.agentVersion,
          owner_user_id: owner,
          enroll_token_id: token.id,
          cert_serial: cert.serialNumber,
        },
      },
    );
    return cert.toString('pem');
  });
  ctx.logger.info({ org_id: orgId, device_id: deviceId }, 'device enrolled');
  return {
    deviceId,
    orgId,
    certificate,
    caChain: await caChainPem(ctx, orgId),
    ingestUrl: ingestUrlOf(ctx),
  };
}

import { randomBytes, randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { AppError } from '@toktra/core';
import { collectFromStores, type Database, type Region } from '@toktra/db';
import { appendAudit } from '../audit/service.js';

export interface CreateOrgInput {
  name: string;
  adminEmail: string;
  adminName?: string;
  region?: Region;
  timeZone?: string;
  /** Accept a region that is only a label: this server keeps every org in one database. */
  regionLabelOnly?: boolean;
}

export interface CreatedOrg {
  orgId: string;
  adminUserId: string;
  /** Shown once; only its argon2 hash is stored. */
  adminPassword: string;
}

export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new AppError(
      'validation_failed',
      `unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin)`,
    );
  }
}

/** Whether orgs land in the database of their region (a store per region), not all in one. */
export function hasResidency(db: Database): boolean {
  return db.stores().some((store) => store.region !== undefined);
}

/** Creates an org with its first owner. Orgs are the one thing made outside any tenant. */
export async function createOrg(db: Database, input: CreateOrgInput): Promise<CreatedOrg> {
  if (input.timeZone) assertTimeZone(input.timeZone);
  if (input.region && !input.regionLabelOnly && !hasResidency(db)) {
    throw new AppError(
      'validation_failed',
      `data residency is off: this server keeps every org in one database, so region "${input.region}" ` +
        'would be a label, not where the data lives. Give the region its own database ' +
        `(DATABASE_URL_${input.region.toUpperCase()}, see docs/adr/0002-data-residency.md), or accept a ` +
        'label-only region explicitly (--region-label-only).',
    );
  }
  const adminPassword = randomBytes(18).toString('base64url');
  const passwordHash = await hash(adminPassword);
  const region = input.region ?? 'us';
  const store = await db.inRegion(region);
  // The control plane learns the org's region first: a crash after it leaves an id that routes
  // nowhere, never an org whose data sits in a store no request reaches.
  const orgId = randomUUID();
  await db.placeOrg(orgId, region);
  return store.system(async (tx) => {
    const org = await tx.db
      .insertInto('orgs')
      .values({
        id: orgId,
        name: input.name,
        region,
        ...(input.timeZone ? { time_zone: input.timeZone } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const admin = await tx.db
      .insertInto('users')
      .values({
        org_id: org.id,
        email: input.adminEmail,
        name: input.adminName ?? input.adminEmail.split('@')[0] ?? 'Admin',
        role: 'owner',
        password_hash: passwordHash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      org.id,
      { type: 'cli', id: null },
      {
        action: 'org.create',
        targetType: 'org',
        targetId: org.id,
        details: { name: input.name, admin_user_id: admin.id },
      },
    );
    return { orgId: org.id, adminUserId: admin.id, adminPassword };
  });
}

export async function listOrgs(db: Database) {
  const orgs = await collectFromStores(db, ({ db: trx }) =>
    trx
      .selectFrom('orgs')
      .select(['id', 'name', 'region', 'time_zone', 'created_at'])
      .orderBy('created_at')
      .execute(),
  );
  return orgs.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
}

/** The org's settings row; a missing or foreign id is `not_found`. */
export async function getOrg(db: Database, orgId: string) {
  const org = await db.withTenant(orgId, ({ db: trx }) =>
    trx.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst(),
  );
  if (!org) throw new AppError('not_found', `organization ${orgId} not found`);
  return org;
}

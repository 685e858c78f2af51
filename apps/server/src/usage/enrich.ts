import {
  AppError,
  type Catalogue,
  type CatalogueEntry,
  createCatalogue,
  defaultCatalogue,
  type RatioOverrides,
} from '@toktra/core';
import type { Tx } from '@toktra/db';
import { sql } from 'kysely';
import type { ValidEvent } from './event-input.js';

export interface OrgFacts {
  timeZone: string;
  retentionDays: number;
  /** Calibrated estimator ratios (filled by reconciliation), from `orgs.settings.token_ratios`. */
  ratioOverrides: RatioOverrides | undefined;
}

export interface Attribution {
  userId: string | null;
  departmentId: string | null;
  managerId: string | null;
}

const NOBODY: Attribution = { userId: null, departmentId: null, managerId: null };

/** The org facts ingest needs; a foreign or unknown org is `not_found`. */
export async function loadOrgFacts(tx: Tx, orgId: string): Promise<OrgFacts> {
  const org = await tx.db
    .selectFrom('orgs')
    .select(['time_zone', 'retention_days', 'settings'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!org) throw new AppError('not_found', `organization ${orgId} not found`);
  const ratios = (org.settings as { token_ratios?: unknown }).token_ratios;
  return {
    timeZone: org.time_zone,
    retentionDays: org.retention_days,
    ratioOverrides: typeof ratios === 'object' && ratios !== null ? (ratios as RatioOverrides) : undefined,
  };
}

/** Built-in catalogue plus the org's own entries (which win); see docs/data-model.md. */
export async function loadOrgCatalogue(tx: Tx, orgId: string): Promise<Catalogue> {
  const rows = await tx.db
    .selectFrom('org_catalogue_entries')
    .select(['host', 'match', 'provider', 'product', 'category'])
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .execute();
  return rows.length === 0 ? defaultCatalogue : createCatalogue(rows as CatalogueEntry[]);
}

/**
 * Resolves who each event belongs to with one query for the whole batch:
 * device events → the device's OS-user mapping, else the org-wide mapping, else the device owner
 * (never for an event whose OS user the agent could not learn: that one stays unattributed);
 * API events → the stated user id or email. Each user's department and manager come with it.
 * Returns one attribution per event index; `null` for an API event whose user is unknown.
 */
export async function attributeEvents(
  tx: Tx,
  orgId: string,
  origin: { type: 'device'; deviceId: string } | { type: 'api'; keyId: string },
  events: readonly ValidEvent[],
): Promise<Map<number, Attribution | null>> {
  const userOf = new Map<number, string | null>();
  // Department and manager of every user met on the way, so attribution needs no extra query.
  const facts = new Map<string, Attribution>();
  const learn = (id: string | null, departmentId: string | null, managerId: string | null) => {
    if (id) facts.set(id, { userId: id, departmentId, managerId });
  };
  if (origin.type === 'device') {
    const osUsers = [...new Set(events.map((e) => e.osUser).filter((u): u is string => u !== null))];
    // The device, its owner, and its candidate OS-user mappings with their users: one round trip.
    const rows = await tx.db
      .selectFrom('devices as d')
      .leftJoin('users as ou', (j) =>
        j.onRef('ou.org_id', '=', 'd.org_id').onRef('ou.id', '=', 'd.owner_user_id'),
      )
      .leftJoin('os_user_mappings as m', (j) =>
        osUsers.length === 0
          ? j.on(sql<boolean>`false`)
          : j
              .onRef('m.org_id', '=', 'd.org_id')
              .on('m.os_user', 'in', osUsers)
              .on((eb) => eb.or([eb('m.device_id', '=', origin.deviceId), eb('m.device_id', 'is', null)])),
      )
      .leftJoin('users as mu', (j) => j.onRef('mu.org_id', '=', 'm.org_id').onRef('mu.id', '=', 'm.user_id'))
      .select([
        'd.owner_user_id',
        'd.status',
        'ou.department_id as owner_department_id',
        'ou.manager_id as owner_manager_id',
        'm.os_user',
        'm.user_id',
        'm.device_id',
        'mu.department_id as mapped_department_id',
        'mu.manager_id as mapped_manager_id',
      ])
      .where('d.org_id', '=', orgId)
      .where('d.id', '=', origin.deviceId)
      .execute();
    const device = rows[0];
    if (!device) throw new AppError('not_found', `device ${origin.deviceId} not found`);
    if (device.status === 'revoked') throw new AppError('forbidden', 'this device has been revoked');
    learn(device.owner_user_id, device.owner_department_id, device.owner_manager_id);
    const mapped = new Map<string, { user: string; own: boolean }>();
    for (const row of rows) {
      if (row.os_user === null || row.user_id === null) continue;
      learn(row.user_id, row.mapped_department_id, row.mapped_manager_id);
      const own = row.device_id !== null;
      // The device's own mapping beats the org-wide one.
      if (own || !mapped.has(row.os_user)) mapped.set(row.os_user, { user: row.user_id, own });
    }
    for (const e of events) {
      // An event whose account the agent could not learn is charged to nobody: on a shared device
      // the owner may not be who made it (agents send os_user themselves when only one account
      // can have). Older agents never say so and keep the owner fallback.
      if (e.osUserUnknown) userOf.set(e.index, null);
      else userOf.set(e.index, (e.osUser && mapped.get(e.osUser)?.user) || device.owner_user_id);
    }
  } else {
    const ids = [...new Set(events.map((e) => e.userId).filter((u): u is string => u !== null))];
    const emails = [...new Set(events.map((e) => e.userEmail).filter((u): u is string => u !== null))];
    const byId = new Set<string>();
    const byEmail = new Map<string, string>();
    if (ids.length > 0 || emails.length > 0) {
      const rows = await tx.db
        .selectFrom('users')
        .select(['id', 'email', 'department_id', 'manager_id'])
        .where('org_id', '=', orgId)
        .where((eb) =>
          eb.or([
            ...(ids.length > 0 ? [eb('id', 'in', ids)] : []),
            ...(emails.length > 0 ? [eb(eb.fn('lower', ['email']), 'in', emails)] : []),
          ]),
        )
        .execute();
      for (const row of rows) {
        byId.add(row.id);
        byEmail.set(row.email.toLowerCase(), row.id);
        learn(row.id, row.department_id, row.manager_id);
      }
    }
    for (const e of events) {
      const user = e.userId
        ? byId.has(e.userId)
          ? e.userId
          : null
        : e.userEmail
          ? byEmail.get(e.userEmail)
          : null;
      userOf.set(e.index, user ?? null);
    }
  }

  const unknown = [...new Set([...userOf.values()])].filter((u): u is string => u !== null && !facts.has(u));
  if (unknown.length > 0) {
    const rows = await tx.db
      .selectFrom('users')
      .select(['id', 'department_id', 'manager_id'])
      .where('org_id', '=', orgId)
      .where('id', 'in', unknown)
      .execute();
    for (const row of rows) learn(row.id, row.department_id, row.manager_id);
  }
  const result = new Map<number, Attribution | null>();
  for (const e of events) {
    const user = userOf.get(e.index) ?? null;
    if (user === null) result.set(e.index, origin.type === 'api' ? null : NOBODY);
    else result.set(e.index, facts.get(user) ?? NOBODY);
  }
  return result;
}

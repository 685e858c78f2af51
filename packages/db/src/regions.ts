import { AppError } from '@toktra/core';
import { sql } from 'kysely';
import { type DatabaseTarget, type OpenDatabaseOptions, openDatabase } from './connect.js';
import {
  assertOrgId,
  type Database,
  type DatabaseKind,
  type RegionStore,
  type TenantTxOptions,
  type Tx,
} from './database.js';
import { migrateToLatest } from './migrate.js';
import type { Region } from './schema/index.js';

export interface ResidencyOptions {
  /** Where the control plane (org → region) lives: its own small database, no tenant data. */
  control: DatabaseTarget;
  /** Each region's own database; regions left out have no store and accept no org. */
  regions: Partial<Record<Region, DatabaseTarget>>;
  /** The region of deployment-wide rows (the root CA) and of `system()`. */
  home: Region;
  /** Regions opened at start (besides home); the others open on first use (embedded: on first org). */
  openAtStart?: readonly Region[];
  onHookError?: OpenDatabaseOptions['onHookError'];
}

/**
 * The control plane: which region holds each org. It stores org ids and regions only, nothing
 * else of a tenant, so it may live anywhere. Orgs do not move between regions, so answers are
 * cached for the life of the process.
 */
export class OrgDirectory {
  private readonly cache = new Map<string, Region>();

  private constructor(private readonly store: RegionStore) {}

  static async open(target: DatabaseTarget): Promise<OrgDirectory> {
    const store = await openDatabase(target);
    await sql`CREATE TABLE IF NOT EXISTS org_regions (
      org_id uuid PRIMARY KEY,
      region text NOT NULL CHECK (region IN ('us', 'eu', 'au', 'ca')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(store.kysely);
    return new OrgDirectory(store);
  }

  async regionOf(orgId: string): Promise<Region | undefined> {
    const cached = this.cache.get(orgId);
    if (cached) return cached;
    const { rows } = await sql<{ region: Region }>`
      SELECT region FROM org_regions WHERE org_id = ${orgId}`.execute(this.store.kysely);
    const region = rows[0]?.region;
    if (region) this.cache.set(orgId, region);
    return region;
  }

  async place(orgId: string, region: Region): Promise<void> {
    const { rows } = await sql<{ region: Region }>`
      INSERT INTO org_regions (org_id, region) VALUES (${orgId}, ${region})
      ON CONFLICT (org_id) DO UPDATE SET region = org_regions.region
      RETURNING region`.execute(this.store.kysely);
    if (rows[0]?.region !== region)
      throw new AppError('conflict', `organization ${orgId} already lives in region ${rows[0]?.region}`);
    this.cache.set(orgId, region);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/**
 * Data residency: one database per region, orgs pinned to one. Every tenant transaction is
 * routed by the control plane to the store of the org's region, so nothing of an org is written
 * to another region's store; cross-tenant work visits each store in turn (`stores()`).
 */
export class RegionRouter implements Database {
  private readonly opening = new Map<Region, Promise<RegionStore>>();
  private readonly open: RegionStore[] = [];

  private constructor(
    private readonly directory: OrgDirectory,
    private readonly options: ResidencyOptions,
  ) {}

  static async open(options: ResidencyOptions): Promise<RegionRouter> {
    if (!options.regions[options.home])
      throw new AppError('validation_failed', `the home region "${options.home}" has no database`);
    const router = new RegionRouter(await OrgDirectory.open(options.control), options);
    try {
      await router.storeOf(options.home);
      for (const region of options.openAtStart ?? []) await router.storeOf(region);
      return router;
    } catch (error) {
      await router.close();
      throw error;
    }
  }

  get kind(): DatabaseKind {
    return this.open[0]?.kind ?? 'pglite';
  }

  async withTenant<T>(orgId: string, fn: (tx: Tx) => Promise<T>, options?: TenantTxOptions) {
    return (await this.storeForOrg(orgId)).withTenant(orgId, fn, options);
  }

  async system<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return (await this.storeOf(this.options.home)).system(fn);
  }

  async forOrg<T>(orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return (await this.storeForOrg(orgId)).system(fn);
  }

  inRegion(region: Region): Promise<RegionStore> {
    return this.storeOf(region);
  }

  placeOrg(orgId: string, region: Region): Promise<void> {
    return this.directory.place(orgId, region);
  }

  stores(): readonly RegionStore[] {
    return this.open;
  }

  async close(): Promise<void> {
    const stores = await Promise.allSettled(this.opening.values());
    for (const s of stores) if (s.status === 'fulfilled') await s.value.close();
    await this.directory.close();
  }

  private async storeForOrg(orgId: string): Promise<RegionStore> {
    assertOrgId(orgId);
    const region = await this.directory.regionOf(orgId);
    if (!region) throw new AppError('not_found', `organization ${orgId} not found`);
    return this.storeOf(region);
  }

  private storeOf(region: Region): Promise<RegionStore> {
    let pending = this.opening.get(region);
    if (!pending) {
      const target = this.options.regions[region];
      if (!target)
        return Promise.reject(
          new AppError('validation_failed', `this server keeps no data in region "${region}"`),
        );
      pending = openRegion(target, region, this.options).then((store) => {
        this.open.push(store);
        return store;
      });
      // A failed open is retried on the next use rather than cached.
      pending.catch(() => this.opening.delete(region));
      this.opening.set(region, pending);
    }
    return pending;
  }
}

async function openRegion(target: DatabaseTarget, region: Region, options: ResidencyOptions) {
  const store = await openDatabase(target, { region, onHookError: options.onHookError });
  try {
    await migrateToLatest(store.kysely);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

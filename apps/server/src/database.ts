import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@toktra/core';
import {
  type Database,
  type DatabaseTarget,
  migrateToLatest,
  openDatabase,
  REGIONS,
  type Region,
  RegionRouter,
} from '@toktra/db';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';

type DatabaseConfig = Pick<
  ServerConfig,
  'dataDir' | 'databaseUrl' | 'regionDatabaseUrls' | 'controlDatabaseUrl' | 'homeRegion'
>;

/**
 * Opens the server's data, migrated: embedded, one PGlite per region under the data dir (a region
 * opens when its first org is created) plus a control-plane PGlite; served, one PostgreSQL URL per
 * region and a control-plane URL — or, with only `DATABASE_URL`, one database for every region
 * (residency off, as a single-region deployment is).
 */
export async function openServerDatabase(config: DatabaseConfig, logger?: Logger): Promise<Database> {
  const onHookError = (err: unknown) => logger?.error({ err }, 'after-commit hook failed');
  const regional = Object.keys(config.regionDatabaseUrls).length > 0 || config.controlDatabaseUrl;
  if (config.databaseUrl && !regional) {
    const db = await openDatabase({ url: config.databaseUrl }, { onHookError });
    try {
      const applied = await migrateToLatest(db.kysely);
      if (applied.length) logger?.info({ migrations: applied }, 'database migrated');
      return db;
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  const regions = regionTargets(config);
  const control: DatabaseTarget = config.databaseUrl
    ? { url: requireControlUrl(config) }
    : { dataDir: path.join(config.dataDir, 'control') };
  const existing = config.databaseUrl
    ? (Object.keys(regions) as Region[])
    : REGIONS.filter((r) => r !== config.homeRegion && existsSync(embeddedRegionDir(config, r)));
  return RegionRouter.open({ control, regions, home: config.homeRegion, openAtStart: existing, onHookError });
}

/** Where each region's store lives; the home region keeps the embedded `pgdata` of a single store. */
function regionTargets(config: DatabaseConfig): Partial<Record<Region, DatabaseTarget>> {
  const targets: Partial<Record<Region, DatabaseTarget>> = {};
  if (config.databaseUrl) {
    targets[config.homeRegion] = { url: config.databaseUrl };
    for (const [region, url] of Object.entries(config.regionDatabaseUrls)) {
      if (region === config.homeRegion && url !== config.databaseUrl)
        throw new AppError(
          'validation_failed',
          `DATABASE_URL_${region.toUpperCase()} and DATABASE_URL both name the home region ${region}`,
        );
      targets[region as Region] = { url };
    }
    return targets;
  }
  for (const region of REGIONS) targets[region] = { dataDir: embeddedRegionDir(config, region) };
  return targets;
}

function embeddedRegionDir(config: DatabaseConfig, region: Region): string {
  if (region === config.homeRegion) return path.join(config.dataDir, 'pgdata');
  return path.join(config.dataDir, 'regions', region);
}

function requireControlUrl(config: DatabaseConfig): string {
  if (config.controlDatabaseUrl) return config.controlDatabaseUrl;
  throw new AppError(
    'validation_failed',
    'per-region databases need a control-plane database: set TOKTRA_CONTROL_DATABASE_URL',
  );
}

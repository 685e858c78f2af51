export { type DatabaseTarget, type OpenDatabaseOptions, openDatabase } from './connect.js';
export {
  type CommitHook,
  collectFromStores,
  type Database,
  type DatabaseKind,
  findInStores,
  type Listen,
  type NotifyHandlers,
  RegionStore,
  type TenantTxOptions,
  type Tx,
} from './database.js';
export { migrateToLatest } from './migrate.js';
export { OrgDirectory, RegionRouter, type ResidencyOptions } from './regions.js';
export { APP_ROLE, createAppRole, enableTenantRls } from './rls.js';
export * from './schema/index.js';

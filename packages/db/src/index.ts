export { type DatabaseTarget, type OpenDatabaseOptions, openDatabase } from './connect.js';
export { type CommitHook, Database, type DatabaseKind, type Tx } from './database.js';
export { migrateToLatest } from './migrate.js';
export { APP_ROLE, createAppRole, enableTenantRls } from './rls.js';
export * from './schema/index.js';

// Front door of The database: connection and dialects, migrations, table types, bulk writes.
// Other folders and the adapters import this file, never the files behind it.
export { affectedPersonJson } from './affected-person-json.ts';
export { bulkInsert, bulkInsertObjects, bulkInsertValues, bulkTake, bulkUpsert } from './bulk-insert.ts';
export { withIndexesDeferred } from './bulk-load.ts';
export { type Database, type DatabaseConfig, type Dialect, executeBuiltOnce, executePrepared, openDatabase, readThroughMemoryMap, servingPool } from './connect.ts';
export { databaseFailure } from './errors.ts';
export { leaveCheckpointsElsewhere, startWalCheckpoints } from './wal-checkpoints.ts';
export { insertNumbered } from './insert-numbered.ts';
export { inTransaction } from './transaction.ts';
export { migrateToLatest, migrations, migrationStatus } from './migrate.ts';
export { personAddressing } from './person-addressing.ts';
export { personCountry } from './person-country.ts';
export type { AffectedTable, AuditEntry, Incident, IncidentNarrativesTable, JobsTable, NoticesTable, NoticeVariant, PhishingReportsTable, Tables } from './schema.ts';

import type { Kysely } from 'kysely';
import { bulkInsertValues, type Dialect, type Tables } from '../db/index.ts';
import { heldMask } from '../domain/index.ts';
import { keyedHash } from '../lib/keyed-hash.ts';
import type { ImportEvent } from './read-records.ts';

/**
 * A batch of an export, as rows of the tables it goes into, each table's rows one after another
 * in one flat array: built off the main thread, and cheap to pass between threads.
 */
export interface StoredBatch {
  records: unknown[];
  lookups: unknown[];
  quarantined: unknown[];
  /** Keyed hashes of the values quarantined rows could be read by (see quarantinedValueHash). */
  quarantinedValues: unknown[];
  rowsRead: number;
  rowsQuarantined: number;
}

// The incident, the import and the file are the same for every row of a batch: they are
// written into the statement once instead of crossing threads and being bound with each row.
const RECORD_COLUMNS = ['key', 'subject', 'email', 'locale', 'country', 'region', 'fields', 'held', 'line'] as const;
const LOOKUP_COLUMNS = ['column_name', 'value', 'key'] as const;
const QUARANTINE_COLUMNS = ['line', 'reason'] as const;
const QUARANTINED_VALUE_COLUMNS = ['line', 'value_hash'] as const;

/** What keys the hashes of quarantined rows' values: the installation's secret and the incident. */
export type QuarantineHashing = { hashKey: Uint8Array; incidentId: string };

/**
 * The keyed hash a quarantined row's value is kept as, and an unknown read's value looked up
 * by: whoever holds the database but not the key cannot test a guess against it.
 */
export function quarantinedValueHash({ hashKey, incidentId }: QuarantineHashing, column: string, value: string): string {
  return keyedHash(hashKey, 'tocsin/quarantined-value', incidentId, column, value);
}

/**
 * Turns read events into table rows; `lookupColumns`, the columns rules bind other than the
 * key, give each of their values a lookup row. A key seen twice in one batch keeps its last row: one
 * INSERT … ON CONFLICT may not touch a row twice (PostgreSQL refuses), and the later row is
 * the one that wins across batches too.
 */
export function toStoredBatch(events: readonly ImportEvent[], lookupColumns: readonly string[], hashing: QuarantineHashing): StoredBatch {
  const records: unknown[] = [];
  /** Where each key's row starts in `records`. */
  const rowAt = new Map<string, number>();
  const lookups: unknown[] = [];
  const quarantined: unknown[] = [];
  const quarantinedValues: unknown[] = [];
  for (const event of events) {
    if (event.type === 'quarantined') {
      quarantined.push(event.line, event.reason);
      const hashes = new Set(event.values.map(({ column, value }) => quarantinedValueHash(hashing, column, value)));
      for (const hash of hashes) quarantinedValues.push(event.line, hash);
      continue;
    }
    const { record } = event;
    const at = rowAt.get(record.key);
    if (at === undefined) rowAt.set(record.key, records.length);
    const row = at ?? records.length;
    records[row] = record.key;
    records[row + 1] = record.subject;
    records[row + 2] = record.email;
    records[row + 3] = record.locale;
    records[row + 4] = record.country;
    records[row + 5] = record.region;
    records[row + 6] = JSON.stringify(record.fields);
    records[row + 7] = heldMask(record.fields);
    records[row + 8] = event.line;
    for (const column of lookupColumns) {
      const values = record.ruleValues[column];
      if (values === undefined) continue;
      // A cell may hold several values (two IMEIs on one order): each finds the record.
      if (!values.includes('\n')) lookups.push(column, values, record.key);
      else for (const value of values.split('\n')) if (value !== '') lookups.push(column, value, record.key);
    }
  }
  return { records, lookups, quarantined, quarantinedValues, rowsRead: events.length, rowsQuarantined: quarantined.length / QUARANTINE_COLUMNS.length };
}

/** Stores a batch. A record imported again (same key) takes the new values: re-running an import is idempotent. */
export async function saveBatch(db: Kysely<Tables>, dialect: Dialect, batch: StoredBatch, source: { incidentId: string; importId: number; path: string }): Promise<void> {
  const ofImport = { incident_id: source.incidentId, import_id: source.importId };
  await bulkInsertValues(db, dialect, 'records', RECORD_COLUMNS, batch.records, { constants: ofImport, upsertOn: ['incident_id', 'key'] });
  await bulkInsertValues(db, dialect, 'record_lookups', LOOKUP_COLUMNS, batch.lookups, { constants: ofImport });
  await bulkInsertValues(db, dialect, 'quarantine', QUARANTINE_COLUMNS, batch.quarantined, { constants: { ...ofImport, path: source.path } });
  await bulkInsertValues(db, dialect, 'quarantined_values', QUARANTINED_VALUE_COLUMNS, batch.quarantinedValues, { constants: ofImport });
}

/**
 * After a re-import, the lookups stored by earlier imports for the records it replaced are
 * stale (an order's IMEI may have changed): only the newest import speaks for a record.
 */
export async function dropReplacedLookups(db: Kysely<Tables>, incidentId: string, importId: number): Promise<void> {
  await db
    .deleteFrom('record_lookups')
    .where('incident_id', '=', incidentId)
    .where('import_id', '<>', importId)
    .where('key', 'in', db.selectFrom('records').select('key').where('incident_id', '=', incidentId).where('import_id', '=', importId))
    .execute();
}

import type { Kysely } from 'kysely';
import { bulkInsertValues } from '../db/bulk-insert.ts';
import type { Dialect } from '../db/connect.ts';
import type { Tables } from '../db/schema.ts';
import { heldMask, type Category } from './categories.ts';
import type { ImportEvent } from './read-records.ts';

/**
 * A batch of an export, as rows of the tables it goes into, each table's rows one after another
 * in one flat array: built off the main thread, and cheap to pass between threads.
 */
export interface StoredBatch {
  records: unknown[];
  lookups: unknown[];
  quarantined: unknown[];
  rowsRead: number;
  rowsQuarantined: number;
}

const RECORD_COLUMNS = ['incident_id', 'key', 'subject', 'email', 'locale', 'country', 'region', 'fields', 'held', 'import_id', 'line'] as const;
const LOOKUP_COLUMNS = ['incident_id', 'column_name', 'value', 'key', 'import_id'] as const;
const QUARANTINE_COLUMNS = ['incident_id', 'import_id', 'path', 'line', 'reason'] as const;

export interface BatchTarget {
  incidentId: string;
  importId: number;
  path: string;
  /** Columns rules bind other than the key: each of their values gets a lookup row. */
  lookupColumns: readonly string[];
}

/**
 * Turns read events into table rows. A key seen twice in one batch keeps its last row: one
 * INSERT … ON CONFLICT may not touch a row twice (PostgreSQL refuses), and the later row is
 * the one that wins across batches too.
 */
export function toStoredBatch(events: readonly ImportEvent[], target: BatchTarget): StoredBatch {
  const { incidentId, importId } = target;
  const records: unknown[] = [];
  /** Where each key's row starts in `records`. */
  const rowAt = new Map<string, number>();
  const lookups: unknown[] = [];
  const quarantined: unknown[] = [];
  for (const event of events) {
    if (event.type === 'quarantined') {
      quarantined.push(incidentId, importId, target.path, event.line, event.reason);
      continue;
    }
    const { record } = event;
    const row = [incidentId, record.key, record.subject, record.email, record.locale, record.country, record.region, fieldsJson(record.fields), heldMask(record.fields), importId, event.line];
    const at = rowAt.get(record.key);
    if (at === undefined) {
      rowAt.set(record.key, records.length);
      for (const value of row) records.push(value);
    } else {
      for (let i = 0; i < row.length; i++) records[at + i] = row[i];
    }
    for (const column of target.lookupColumns) {
      // A cell may hold several values (two IMEIs on one order): each finds the record.
      for (const value of (record.ruleValues[column] ?? '').split('\n')) if (value !== '') lookups.push(incidentId, column, value, record.key, importId);
    }
  }
  return { records, lookups, quarantined, rowsRead: events.length, rowsQuarantined: quarantined.length / QUARANTINE_COLUMNS.length };
}

/**
 * JSON.stringify(fields), twice as fast: the keys are category names, which need no escaping,
 * and the values are strings, for which JSON.stringify has a fast path. An import spends a
 * tenth of its reading thread here.
 */
export function fieldsJson(fields: Partial<Record<Category, string>>): string {
  let json = '';
  for (const category in fields) json += `${json === '' ? '{' : ','}"${category}":${JSON.stringify(fields[category as Category])}`;
  return json === '' ? '{}' : `${json}}`;
}

/** Stores a batch. A record imported again (same key) takes the new values: re-running an import is idempotent. */
export async function saveBatch(db: Kysely<Tables>, dialect: Dialect, batch: StoredBatch): Promise<void> {
  await bulkInsertValues(db, dialect, 'records', RECORD_COLUMNS, batch.records, { upsertOn: ['incident_id', 'key'] });
  await bulkInsertValues(db, dialect, 'record_lookups', LOOKUP_COLUMNS, batch.lookups);
  await bulkInsertValues(db, dialect, 'quarantine', QUARANTINE_COLUMNS, batch.quarantined);
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

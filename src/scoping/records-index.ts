import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import { TocsinError } from '../lib/errors.ts';
import type { ColumnMapping } from '../records/mapping.ts';

// Values per `IN (…)`: well under both dialects' parameter limits.
const VALUES_PER_QUERY = 500;

/** The columns rules can bind for an incident: record keys, and the columns its imports kept. */
export interface BindableColumns {
  keyColumns: Set<string>;
  lookupColumns: Set<string>;
}

export async function bindableColumns(db: Kysely<Tables>, incidentId: string): Promise<BindableColumns> {
  const imports = await db.selectFrom('imports').select('mapping').where('incident_id', '=', incidentId).execute();
  if (imports.length === 0) {
    throw new TocsinError('NO_RECORDS', `incident ${incidentId} has no imported records; run 'tocsin import ${incidentId} FILE' first`);
  }
  const keyColumns = new Set<string>();
  const lookupColumns = new Set<string>();
  for (const { mapping } of imports) {
    const parsed = JSON.parse(mapping) as ColumnMapping;
    keyColumns.add(parsed.key);
    for (const column of parsed.keep) if (column !== parsed.key) lookupColumns.add(column);
  }
  return { keyColumns, lookupColumns };
}

/** Refuses rules that bind a column no import kept: they would silently expose nobody. */
export function checkRuleColumns(columns: BindableColumns, ruleColumns: Iterable<[rule: string, column: string]>, rulesPath: string): void {
  for (const [rule, column] of ruleColumns) {
    if (columns.keyColumns.has(column) || columns.lookupColumns.has(column)) continue;
    const known = [...columns.keyColumns, ...columns.lookupColumns].map((name) => `'${name}'`).join(', ');
    throw new TocsinError(
      'RULE_COLUMN_NOT_IMPORTED',
      `rule '${rule}' binds column '${column}', which no import kept (the imports have ${known}); re-import the records with --rules ${rulesPath}`,
      { exitCode: 2 },
    );
  }
}

export const lookupKey = (column: string, value: string): string => `${column}\0${value}`;

/** Finds the records that hold the given bound values: lookupKey(column, value) → record keys. */
export async function keysForValues(db: Kysely<Tables>, incidentId: string, columns: BindableColumns, wanted: Map<string, Set<string>>): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const add = (column: string, value: string, key: string) => {
    const at = lookupKey(column, value);
    const keys = found.get(at);
    if (keys) keys.push(key);
    else found.set(at, [key]);
  };
  for (const [column, values] of wanted) {
    for (const batch of batches([...values])) {
      if (columns.keyColumns.has(column)) {
        const rows = await db.selectFrom('records').select('key').where('incident_id', '=', incidentId).where('key', 'in', batch).execute();
        for (const { key } of rows) add(column, key, key);
      }
      if (columns.lookupColumns.has(column)) {
        const rows = await db
          .selectFrom('record_lookups')
          .select(['value', 'key'])
          .where('incident_id', '=', incidentId)
          .where('column_name', '=', column)
          .where('value', 'in', batch)
          .execute();
        for (const { value, key } of rows) add(column, value, key);
      }
    }
  }
  return found;
}

export function* batches<T>(items: T[], size = VALUES_PER_QUERY): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

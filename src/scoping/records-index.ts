import { sql, type Kysely } from 'kysely';
import type { Dialect, Tables } from '../db/index.ts';
import { invalidInput, TocsinError } from '../lib/errors.ts';
import type { Category } from '../domain/index.ts';
import { type ColumnMapping, MAX_INDEXED_CHARS } from '../records/index.ts';

// Values per `IN (…)`: well under both dialects' parameter limits.
const VALUES_PER_QUERY = 500;

/** The columns rules can bind for an incident: record keys, and the columns its imports kept. */
export interface BindableColumns {
  keyColumns: Set<string>;
  lookupColumns: Set<string>;
  /** Mapped columns whose values are stored only merged with other columns' (see indexMappedColumns), by category. */
  mergedColumns: Map<string, Category>;
}

export async function bindableColumns(db: Kysely<Tables>, incidentId: string): Promise<BindableColumns> {
  const imports = await importMappings(db, incidentId);
  if (imports.length === 0) {
    throw new TocsinError('NO_RECORDS', `incident ${incidentId} has no imported records; import the orders first`, { kind: 'conflict', next: { action: 'import_records', incident_id: incidentId } });
  }
  const keyColumns = new Set<string>();
  const lookupColumns = new Set<string>();
  const mergedColumns = new Map<string, Category>();
  for (const { mapping } of imports) {
    keyColumns.add(mapping.key);
    for (const column of mapping.keep) if (column !== mapping.key) lookupColumns.add(column);
    for (const [column, category] of Object.entries(mapping.map)) if (storedMerged(mapping, column)) mergedColumns.set(column, category);
  }
  return { keyColumns, lookupColumns, mergedColumns };
}

/**
 * Makes the mapped columns that rules bind bindable without importing again: their values are
 * in the records' stored fields, so each import that mapped such a column without keeping it
 * gets its lookups from there, with one INSERT … SELECT, and then keeps it (its stored mapping
 * says so), so this happens once. An import never writes lookups for mapped columns itself:
 * that would add a row per mapped cell to every import, bound by a rule or not.
 * A column whose values are stored merged with another column's (first and last name, two
 * columns of one category) cannot be told apart in the fields, and stays unbindable.
 */
export async function indexMappedColumns(db: Kysely<Tables>, dialect: Dialect, incidentId: string, bound: Iterable<string>): Promise<void> {
  const wanted = new Set(bound);
  const work = (await importMappings(db, incidentId))
    .map((entry) => ({ ...entry, columns: Object.keys(entry.mapping.map).filter((column) => wanted.has(column) && unkeptAlone(entry.mapping, column)) }))
    .filter((entry) => entry.columns.length > 0);
  if (work.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const { id, stored, mapping, columns } of work) {
      // First, and a write (see insertNumbered): once another process has done it, the mapping differs and nothing is done twice.
      const kept = JSON.stringify({ ...mapping, keep: [...mapping.keep, ...columns] });
      const { numUpdatedRows } = await trx.updateTable('imports').set({ mapping: kept }).where('incident_id', '=', incidentId).where('id', '=', id).where('mapping', '=', stored).executeTakeFirst();
      if (Number(numUpdatedRows) === 0) continue;
      for (const column of columns) await lookupsFromFields(trx, dialect, incidentId, id, column, mapping.map[column]);
    }
  });
}

/** The lookups of `column` for the records of import `importId`, from their stored `category` values (one per line). */
async function lookupsFromFields(db: Kysely<Tables>, dialect: Dialect, incidentId: string, importId: number, column: string, category: Category): Promise<void> {
  // Longer values are not indexed (a PostgreSQL index entry holds 2,704 bytes); an import refuses such rule values too.
  if (dialect === 'postgres') {
    await sql`INSERT INTO record_lookups (incident_id, import_id, column_name, value, key)
      SELECT ${incidentId}, ${importId}, ${column}, v.value, r.key
      FROM records r CROSS JOIN LATERAL regexp_split_to_table(r.fields::jsonb ->> ${category}, chr(10)) AS v(value)
      WHERE r.incident_id = ${incidentId} AND r.import_id = ${importId} AND v.value <> '' AND length(v.value) <= ${MAX_INDEXED_CHARS}`.execute(db);
    return;
  }
  const path = `$.${category}`;
  await sql`WITH RECURSIVE parts (key, rest, value) AS (
      SELECT key, json_extract(fields, ${path}) || char(10), '' FROM records
      WHERE incident_id = ${incidentId} AND import_id = ${importId} AND json_extract(fields, ${path}) IS NOT NULL
      UNION ALL
      SELECT key, substr(rest, instr(rest, char(10)) + 1), substr(rest, 1, instr(rest, char(10)) - 1) FROM parts WHERE rest <> ''
    )
    INSERT INTO record_lookups (incident_id, import_id, column_name, value, key)
    SELECT ${incidentId}, ${importId}, ${column}, value, key FROM parts WHERE value <> '' AND length(value) <= ${MAX_INDEXED_CHARS}`.execute(db);
}

async function importMappings(db: Kysely<Tables>, incidentId: string): Promise<{ id: number; stored: string; mapping: ColumnMapping }[]> {
  const rows = await db.selectFrom('imports').select(['id', 'mapping']).where('incident_id', '=', incidentId).orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, stored: row.mapping, mapping: JSON.parse(row.mapping) as ColumnMapping }));
}

/** Whether mapped `column`'s values are stored merged with another column's: parts of one value, or two columns of one category. */
function storedMerged(mapping: ColumnMapping, column: string): boolean {
  const category = mapping.map[column];
  return Object.entries(mapping.map).some(([other, otherCategory]) => other !== column && otherCategory === category);
}

function unkeptAlone(mapping: ColumnMapping, column: string): boolean {
  return column !== mapping.key && !mapping.keep.includes(column) && !storedMerged(mapping, column);
}

/** Refuses rules that bind a column no import kept: they would silently expose nobody. */
export function checkRuleColumns(columns: BindableColumns, ruleColumns: Iterable<[rule: string, column: string]>, rulesPath: string): void {
  for (const [rule, column] of ruleColumns) {
    if (columns.keyColumns.has(column) || columns.lookupColumns.has(column)) continue;
    const known = [...columns.keyColumns, ...columns.lookupColumns].map((name) => `'${name}'`).join(', ');
    const merged = columns.mergedColumns.get(column);
    const why =
      merged === undefined
        ? `which no import kept (the imports have ${known})`
        : `which an import mapped to ${merged} together with other columns, so its own values are not stored apart`;
    throw invalidInput('RULE_COLUMN_NOT_IMPORTED', `rule '${rule}' binds column '${column}', ${why}; re-import the records with --rules ${rulesPath}`);
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

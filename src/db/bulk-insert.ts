import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { Dialect } from './connect.ts';
import type { Tables } from './schema.ts';

export interface BulkInsertOptions {
  /** Columns of a unique key: a row that meets an existing one replaces its other columns. */
  upsertOn?: readonly string[];
}

// Rows per statement: within SQLite's 32,766 and PostgreSQL's 65,535 bound parameters for our widest table.
const MAX_PARAMETERS = 30_000;

/**
 * Inserts rows given as arrays, in column order, with one SQL text per batch size that the
 * driver prepares once. Building the statement through Kysely's query builder costs more than
 * SQLite takes to store the rows; bulk loads (imports, scope runs) use this instead.
 */
export async function bulkInsert<T extends keyof Tables & string>(
  db: Kysely<Tables>,
  dialect: Dialect,
  table: T,
  columns: readonly (keyof Tables[T] & string)[],
  rows: readonly unknown[][],
  options: BulkInsertOptions = {},
): Promise<void> {
  const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
  for (let start = 0; start < rows.length; start += perStatement) {
    const batch = rows.slice(start, start + perStatement);
    await db.executeQuery(CompiledQuery.raw(insertSql(dialect, table, columns, batch.length, options), batch.flat()));
  }
}

/** The same for rows given as objects, every one with the same columns (those of the first). */
export async function bulkInsertObjects<T extends keyof Tables & string>(db: Kysely<Tables>, dialect: Dialect, table: T, rows: readonly Insertable<Tables[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!) as (keyof Tables[T] & string)[];
  await bulkInsert(db, dialect, table, columns, rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column])));
}

const statements = new Map<string, string>();

function insertSql(dialect: Dialect, table: string, columns: readonly string[], rowCount: number, options: BulkInsertOptions): string {
  const cacheKey = `${dialect}\0${table}\0${columns.join()}\0${rowCount}\0${options.upsertOn?.join() ?? ''}`;
  let text = statements.get(cacheKey);
  if (text) return text;
  let parameter = 0;
  const placeholder = dialect === 'postgres' ? () => `$${++parameter}` : () => '?';
  const row = () => `(${columns.map(placeholder).join(', ')})`;
  text = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${Array.from({ length: rowCount }, row).join(', ')}`;
  if (options.upsertOn) {
    const updated = columns.filter((column) => !options.upsertOn!.includes(column));
    text += ` ON CONFLICT (${options.upsertOn.map(quote).join(', ')}) DO UPDATE SET ${updated.map((column) => `${quote(column)} = excluded.${quote(column)}`).join(', ')}`;
  }
  if (statements.size > 100) statements.clear();
  statements.set(cacheKey, text);
  return text;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { Dialect } from './connect.ts';
import type { Tables } from './schema.ts';

export interface BulkInsertOptions {
  /** Columns of a unique key: a row that meets an existing one replaces its other columns. */
  upsertOn?: readonly string[];
  /** Columns with one value for every row, written into the statement instead of bound per row. */
  constants?: Readonly<Record<string, string | number>>;
}

// Bound parameters per statement. PostgreSQL: as many as fit under its 65,535 (and SQLite's
// 32,766), to save round trips. SQLite, in-process, stores 1M records about a quarter faster in
// statements of a few hundred rows than of thousands.
const MAX_PARAMETERS: Record<Dialect, number> = { sqlite: 4_000, postgres: 30_000 };

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
  await bulkInsertValues(db, dialect, table, columns, rows.flat(), options);
}

/** The same for rows given one after another in one flat array: what crosses threads cheapest. */
export async function bulkInsertValues<T extends keyof Tables & string>(
  db: Kysely<Tables>,
  dialect: Dialect,
  table: T,
  columns: readonly (keyof Tables[T] & string)[],
  values: readonly unknown[],
  options: BulkInsertOptions = {},
): Promise<void> {
  const perStatement = Math.floor(MAX_PARAMETERS[dialect] / columns.length) * columns.length;
  for (let start = 0; start < values.length; start += perStatement) {
    const batch = values.slice(start, start + perStatement);
    await db.executeQuery(CompiledQuery.raw(insertSql(dialect, table, columns, batch.length / columns.length, options), batch));
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
  const constants = Object.entries(options.constants ?? {});
  const cacheKey = `${dialect}\0${table}\0${columns.join()}\0${rowCount}\0${options.upsertOn?.join() ?? ''}\0${JSON.stringify(constants)}`;
  let text = statements.get(cacheKey);
  if (text) return text;
  let parameter = 0;
  const placeholder = dialect === 'postgres' ? () => `$${++parameter}` : () => '?';
  const literals = constants.map(([, value]) => literal(value));
  const row = () => `(${[...columns.map(placeholder), ...literals].join(', ')})`;
  const names = [...columns, ...constants.map(([column]) => column)];
  text = `INSERT INTO ${quote(table)} (${names.map(quote).join(', ')}) VALUES ${Array.from({ length: rowCount }, row).join(', ')}`;
  if (options.upsertOn) {
    const updated = names.filter((column) => !options.upsertOn!.includes(column));
    text += ` ON CONFLICT (${options.upsertOn.map(quote).join(', ')}) DO UPDATE SET ${updated.map((column) => `${quote(column)} = excluded.${quote(column)}`).join(', ')}`;
  }
  if (statements.size > 100) statements.clear();
  statements.set(cacheKey, text);
  return text;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** A value as SQL text: a string quoted, a whole number as digits. */
function literal(value: string | number): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (!Number.isSafeInteger(value)) throw new TypeError(`constant ${value} is not a whole number`);
  return String(value);
}

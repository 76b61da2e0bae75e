import { createHash } from 'node:crypto';
import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { Dialect } from './connect.ts';
import type { Tables } from './schema.ts';

export interface BulkInsertOptions {
  /** Columns of a unique key: a row that meets an existing one replaces its other columns. */
  upsertOn?: readonly string[];
  /** With upsertOn: what a column of a met row becomes instead of the new row's value, as SQL (the new row is `excluded`, the stored one the table's name). */
  set?: Readonly<Record<string, string>>;
  /** With upsertOn: the columns of each row written, as stored afterwards (bulkUpsert). */
  returning?: readonly string[];
  /**
   * PostgreSQL: the statement's transaction commits without waiting for the disk (synchronous_commit
   * off for it alone), as SQLite's commits do here. Only for a statement run outside a transaction
   * (inside one, the whole transaction would commit so), writing what a crash may lose at no cost.
   */
  asynchronousCommit?: boolean;
  /** Columns of a unique key: a row that meets an existing one is left out, the existing one kept. */
  skipOn?: readonly string[];
  /** Columns with one value for every row, written into the statement instead of bound per row. */
  constants?: Readonly<Record<string, string | number>>;
  /** Columns of a unique key: a row that meets an existing one leaves it as stored, locked on PostgreSQL (bulkTake). */
  takeOn?: readonly string[];
}

// Bound parameters per SQLite statement: in-process, it stores 1M records about a quarter faster
// in statements of a few hundred rows than of thousands.
const SQLITE_PARAMETERS = 4_000;
// Rows per PostgreSQL statement, where each column's values travel as one array.
const POSTGRES_ROWS = 5_000;

/**
 * Inserts rows given as arrays, in column order. Building the statement through Kysely's query
 * builder costs more than SQLite takes to store the rows; bulk loads (imports, scope runs) use
 * this instead. SQLite gets one SQL text per batch size, which the driver prepares once;
 * PostgreSQL gets each column's values as one array parameter, unnested back into rows: a third
 * faster than a parameter per value, the server parsing one array instead of thousands of them.
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
  await insertValues(db, dialect, table, columns, values, options);
}

/**
 * Makes those of `rows` (arrays, in column order, sorted by `key`) that are missing and returns
 * every one as stored: one statement per batch, where an insert and a read would be two. On
 * SQLite it takes the write lock before it reads; on PostgreSQL it locks each row as SELECT …
 * FOR UPDATE would, in the rows' order, until the transaction ends (so every process must give
 * its rows in the same order).
 */
export async function bulkTake<T extends keyof Tables & string, C extends keyof Tables[T] & string>(
  db: Kysely<Tables>,
  dialect: Dialect,
  table: T,
  columns: readonly C[],
  rows: readonly unknown[][],
  key: readonly C[],
): Promise<Pick<Tables[T], C>[]> {
  return (await insertValues(db, dialect, table, columns, rows.flat(), { takeOn: key })) as Pick<Tables[T], C>[];
}

/**
 * Inserts rows as bulkInsert does, a row that meets an existing one on `upsertOn` updating it (by
 * `set`, else with the new row's values), and returns the `returning` columns of every row as
 * stored afterwards: a counter's increment and its new value in one statement.
 */
export async function bulkUpsert<T extends keyof Tables & string, C extends keyof Tables[T] & string, R extends keyof Tables[T] & string>(
  db: Kysely<Tables>,
  dialect: Dialect,
  table: T,
  columns: readonly C[],
  rows: readonly unknown[][],
  options: { upsertOn: readonly C[]; set?: Readonly<Partial<Record<C, string>>>; returning: readonly R[]; asynchronousCommit?: boolean },
): Promise<Pick<Tables[T], R>[]> {
  return (await insertValues(db, dialect, table, columns, rows.flat(), options as BulkInsertOptions)) as Pick<Tables[T], R>[];
}

/** The statements of bulkInsertValues, with the rows they return (only a take's and an upsert's with `returning`). */
async function insertValues(db: Kysely<Tables>, dialect: Dialect, table: string, columns: readonly string[], values: readonly unknown[], options: BulkInsertOptions): Promise<unknown[]> {
  if (options.asynchronousCommit && db.isTransaction) throw new Error('asynchronousCommit in a transaction would commit the whole transaction without waiting for the disk');
  if (dialect === 'postgres') return insertUnnested(db, table, columns, values, options);
  const returned: unknown[] = [];
  const perStatement = Math.floor(SQLITE_PARAMETERS / columns.length) * columns.length;
  for (let start = 0; start < values.length; start += perStatement) {
    const batch = values.slice(start, start + perStatement);
    returned.push(...(await db.executeQuery(CompiledQuery.raw(valuesSql(table, columns, batch.length / columns.length, options), batch))).rows);
  }
  return returned;
}

async function insertUnnested(db: Kysely<Tables>, table: string, columns: readonly string[], values: readonly unknown[], options: BulkInsertOptions): Promise<unknown[]> {
  if (values.length === 0) return [];
  const text = unnestSql(table, columns, await columnTypes(db, table, columns), options);
  const rows = values.length / columns.length;
  const returned: unknown[] = [];
  for (let start = 0; start < rows; start += POSTGRES_ROWS) {
    const count = Math.min(POSTGRES_ROWS, rows - start);
    const arrays = columns.map((_, column) => {
      const array = new Array<unknown>(count);
      for (let row = 0; row < count; row++) array[row] = values[(start + row) * columns.length + column];
      return array;
    });
    returned.push(...(await db.executeQuery(CompiledQuery.raw(text, arrays))).rows);
  }
  return returned;
}

/** The PostgreSQL type of each column of a table, as a cast takes it: looked up again only for a column not seen yet. */
const typesOf = new Map<string, Map<string, string>>();

async function columnTypes(db: Kysely<Tables>, table: string, columns: readonly string[]): Promise<Map<string, string>> {
  let types = typesOf.get(table);
  if (!types || columns.some((column) => !types!.has(column))) {
    const { rows } = await db.executeQuery<{ column_name: string; type: string }>(
      CompiledQuery.raw('SELECT attname AS column_name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = quote_ident($1)::regclass AND attnum > 0 AND NOT attisdropped', [table]),
    );
    types = new Map(rows.map((row) => [row.column_name, row.type]));
    typesOf.set(table, types);
  }
  return types;
}

/**
 * The statement, marked to be prepared (see executePrepared): its text is the same whatever the
 * rows, and a hot one (the portal's lookups, three a batch) is otherwise parsed on every run.
 */
function unnestSql(table: string, columns: readonly string[], types: ReadonlyMap<string, string>, options: BulkInsertOptions): string {
  const { names, literals } = withConstants(columns, options);
  const arrays = columns.map((column, index) => {
    const type = types.get(column);
    if (!type) throw new Error(`bulk insert: ${table} has no column ${column}`);
    return `$${index + 1}::${type}[]`;
  });
  // set_config(…, true) is SET LOCAL: for the statement's own transaction, read when it commits.
  const asynchronous = options.asynchronousCommit ? ` WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL` : '';
  const text = `INSERT INTO ${quote(table)} (${names.join(', ')}) SELECT ${['u.*', ...literals].join(', ')} FROM unnest(${arrays.join(', ')}) AS u${asynchronous}${upsertClause(names, options)}`;
  let marked = preparedTexts.get(text);
  if (!marked) {
    marked = `/* prepared:bulk_${createHash('sha256').update(text).digest('hex').slice(0, 24)} */ ${text}`;
    if (preparedTexts.size > 100) preparedTexts.clear();
    preparedTexts.set(text, marked);
  }
  return marked;
}

/** Each statement's text as marked to be prepared: named once, not hashed again for every batch. */
const preparedTexts = new Map<string, string>();

/** The same for rows given as objects, every one with the same columns (those of the first). */
export async function bulkInsertObjects<T extends keyof Tables & string>(db: Kysely<Tables>, dialect: Dialect, table: T, rows: readonly Insertable<Tables[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!) as (keyof Tables[T] & string)[];
  await bulkInsert(db, dialect, table, columns, rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column])));
}

const statements = new Map<string, string>();

function valuesSql(table: string, columns: readonly string[], rowCount: number, options: BulkInsertOptions): string {
  const cacheKey = `${table}\0${columns.join()}\0${rowCount}\0${JSON.stringify(options)}`;
  let text = statements.get(cacheKey);
  if (text) return text;
  const { names, literals } = withConstants(columns, options);
  const row = `(${[...columns.map(() => '?'), ...literals].join(', ')})`;
  text = `INSERT INTO ${quote(table)} (${names.join(', ')}) VALUES ${Array.from({ length: rowCount }, () => row).join(', ')}${upsertClause(names, options)}`;
  if (statements.size > 100) statements.clear();
  statements.set(cacheKey, text);
  return text;
}

/** The quoted names of the bound columns, then of the constant ones; the constants as SQL literals. */
function withConstants(columns: readonly string[], options: BulkInsertOptions): { names: string[]; literals: string[] } {
  const constants = Object.entries(options.constants ?? {});
  return { names: [...columns, ...constants.map(([column]) => column)].map(quote), literals: constants.map(([, value]) => literal(value)) };
}

/**
 * ON CONFLICT … DO UPDATE of every column not in `upsertOn` (by `set`, and RETURNING `returning`), ON CONFLICT … DO NOTHING on `skipOn`,
 * a DO UPDATE that changes nothing (but locks the row) and returns every row on `takeOn`, or nothing.
 */
function upsertClause(names: readonly string[], options: BulkInsertOptions): string {
  if (options.skipOn) return ` ON CONFLICT (${options.skipOn.map(quote).join(', ')}) DO NOTHING`;
  if (options.takeOn) {
    const [first] = options.takeOn.map(quote);
    return ` ON CONFLICT (${options.takeOn.map(quote).join(', ')}) DO UPDATE SET ${first} = excluded.${first} RETURNING ${names.join(', ')}`;
  }
  if (!options.upsertOn) return '';
  const keys = options.upsertOn.map(quote);
  const set = Object.fromEntries(Object.entries(options.set ?? {}).map(([column, value]) => [quote(column), value]));
  const updated = names.filter((name) => !keys.includes(name)).map((name) => `${name} = ${set[name] ?? `excluded.${name}`}`);
  const returning = options.returning ? ` RETURNING ${options.returning.map(quote).join(', ')}` : '';
  return ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updated.join(', ')}${returning}`;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** A value as SQL text: a string quoted, a whole number as digits. */
function literal(value: string | number): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (!Number.isSafeInteger(value)) throw new TypeError(`constant ${value} is not a whole number`);
  return String(value);
}

import { closeSync, existsSync, openSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect, sql, type Compilable, type CompiledQuery, type DatabaseIntrospector } from 'kysely';
import pg from 'pg';
import { CATEGORIES, categoriesOf } from '../domain/index.ts';
import { ensureWritableDirectory } from '../lib/directory.ts';
import { invalidInput, TocsinError, reasonOf } from '../lib/errors.ts';
import { describeSqlState, noteConnectionError } from './errors.ts';
import { PRIVATE_FILE_MODE, restrictToOwner } from '../lib/private-file.ts';
import { NodeSqliteDialect } from './sqlite-dialect.ts';
import type { Tables } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  /** Where files live beside the database (the secret key), on PostgreSQL too. */
  dataDir: string;
  close(): Promise<void>;
}

export interface DatabaseConfig {
  dataDir: string;
  /** `postgres://…` selects PostgreSQL; otherwise SQLite in the data directory. */
  databaseUrl?: string;
  /** PostgreSQL: connections this process keeps at most (10 unless told). */
  pool?: number;
  /** Told once, when a command must wait for another process to finish writing to the SQLite file. */
  onWait?: (message: string) => void;
}

// COUNT(*) and BIGINT come back from pg as strings; our counts fit a double.
pg.types.setTypeParser(pg.types.builtins.INT8, Number);

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const url = config.databaseUrl?.trim();
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgres(checkedPostgresUrl(url), config.dataDir, config.pool ?? DEFAULT_POOL);
  if (url) {
    throw invalidInput('BAD_DATABASE_URL', `DATABASE_URL '${redact(url)}' is not a postgres:// URL; unset it to use SQLite in the data directory`);
  }
  return openSqlite(config.dataDir, config.onWait ?? (() => {}));
}

/** The SQLite file of a data directory. */
export const sqliteFile = (dataDir: string): string => join(dataDir, 'tocsin.db');

/** How long opening SQLite waits in SQLite for another process that holds the file alone (switching a new file to WAL). */
const OPENING_PATIENCE_MS = 1000;

function openSqlite(dataDir: string, onWait: (message: string) => void): Database {
  const dir = ensureWritableDirectory(dataDir, 'the data directory', 'choose another with --data-dir or TOCSIN_DATA_DIR');
  const file = sqliteFile(dir);
  // SQLite makes the -wal and -shm files with the database file's mode, and the file itself
  // with the umask's: made (empty, which SQLite takes for a new database) owner-only first.
  // Files an older Tocsin left open to others are closed to them. Neither opens the file when
  // there is nothing to do: closing a descriptor would drop this process's SQLite locks on it.
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) restrictToOwner(path);
  // Opened as another process may be making the file (WAL needs it alone): its settings wait for that in SQLite.
  const database = new DatabaseSync(file, { timeout: OPENING_PATIENCE_MS });
  // WAL lets readers run beside the writer. synchronous=NORMAL keeps every commit across a
  // process crash (what the delivery contract needs) without an fsync per transaction.
  // 16 KB pages (for a new database; an existing one keeps its own) store an import a fifth faster than 4 KB.
  // A 32 MB page cache (sorts use as much again) measured as fast as 128 MB for imports and scope
  // runs, and keeps a scope run of a 4 GB log under 512 MB resident.
  // Helper threads let big sorts (an import's deferred indexes, a scope run's GROUP BY) use every core.
  // secure_delete zeroes what a delete frees, so that purged people cannot be read back from the file.
  database.exec(
    `PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768; PRAGMA threads = ${availableParallelism()}; PRAGMA main.secure_delete = ON;`,
  );
  // Then no busy timeout: SQLite would sleep on the calling thread while another connection writes; the dialect waits instead (NodeSqliteDialect).
  database.exec('PRAGMA busy_timeout = 0');
  // PostgreSQL's BIT_OR, which SQLite lacks: scope runs OR category masks over groups.
  database.aggregate('bit_or', { start: 0, step: (mask: number, value) => mask | Number(value ?? 0), deterministic: true });
  // A category mask as the JSON list of its names, for JSON SQLite writes (a page of affected people, scoping/results.ts).
  // Kept by the mask's known bits (categoriesOf reads no others): at most one list per set of categories.
  const lists = new Map<number, string>();
  database.function('categories_json', { deterministic: true }, (value) => {
    const mask = Number(value) & ((1 << CATEGORIES.length) - 1);
    let list = lists.get(mask);
    if (list === undefined) lists.set(mask, (list = JSON.stringify(categoriesOf(mask))));
    return list;
  });
  let told = false;
  const onLocked = () => {
    if (told) return;
    told = true;
    onWait(`waiting for another tocsin process (an import or a scope run?) to finish writing to ${file}; this goes on by itself once it has`);
  };
  const db = new Kysely<Tables>({ dialect: new NodeSqliteDialect(database, onLocked) });
  return { db, dialect: 'sqlite', location: file, dataDir, close: () => db.destroy() };
}

/** Connections a process keeps on PostgreSQL unless told (database_pool, servingPool). */
const DEFAULT_POOL = 10;
/** How long a query waits for a connection, to be made or freed by another query; pg-pool's message when none was freed. */
const POOL_WAIT_MS = 5000;
const POOL_WAIT_TIMED_OUT = 'timeout exceeded when trying to connect';

async function openPostgres(url: string, dataDir: string, max: number): Promise<Database> {
  const { pool, connect } = postgresPool(url, max);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    const sqlState = describeSqlState(error);
    throw new TocsinError(
      'DATABASE_UNREACHABLE',
      `cannot connect to PostgreSQL at ${redact(url)}${sqlState ? `: ${sqlState}` : ` (${reasonOf(error)}); check DATABASE_URL and that the server is running`}`,
      { kind: 'unavailable', cause: error },
    );
  }
  const db = new Kysely<Tables>({ dialect: new CurrentSchemaPostgresDialect({ pool: { connect, end: () => pool.end() } }) });
  // Its connections are made when a statement planned once first runs (a process that serves affected pages), as many at most as the other pool's.
  // A server older than PostgreSQL 12 has no plan_cache_mode: it refuses the setting and plans these statements as it plans the others.
  const plannedOnce = postgresPool(url, max, (client) => void client.query('SET plan_cache_mode = force_generic_plan').catch(() => {}));
  plannedOncePools.set(db, plannedOnce);
  return { db, dialect: 'postgres', location: redact(url), dataDir, close: async () => void (await Promise.all([db.destroy(), plannedOnce.pool.end()])) };
}

/**
 * A pool of connections to `url` (`setUp` runs on each new one), and how a query takes one: a
 * connection the pool cannot make mid-command (the server went away) is a lost connection; one
 * that every query of this process kept busy for the whole wait is DATABASE_BUSY.
 */
function postgresPool(url: string, max: number, setUp?: (client: pg.PoolClient) => void): { pool: pg.Pool; connect: () => Promise<pg.PoolClient> } {
  // The process id in application_name tells an operator (and pg_stat_activity) which sender holds a connection.
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: POOL_WAIT_MS, application_name: `tocsin ${process.pid}` });
  // A connection that breaks (the server restarts, the network drops) fails the query it runs,
  // which the command reports; without these listeners it would also crash Node, with no word
  // of what happened, whether the client was idle in the pool or in use.
  pool.on('error', noteConnectionError);
  pool.on('connect', (client) => {
    client.on('error', noteConnectionError);
    preparingMarked(client);
    setUp?.(client);
  });
  const connect = () =>
    pool.connect().catch((error: unknown) => {
      if (error instanceof Error && error.message === POOL_WAIT_TIMED_OUT) {
        throw new TocsinError(
          'DATABASE_BUSY',
          `all ${max} of this process's PostgreSQL connections stayed busy for ${POOL_WAIT_MS / 1000} s; try again in a moment, and if it happens often look for long queries (pg_stat_activity) or raise database_pool`,
          { kind: 'unavailable', cause: error },
        );
      }
      noteConnectionError(error);
      throw error;
    });
  return { pool, connect };
}

/** Each PostgreSQL database's connections that plan a prepared statement once, for executePrepared's `plannedOnce`. */
const plannedOncePools = new WeakMap<Kysely<Tables>, { connect: () => Promise<pg.PoolClient> }>();

/** SQLite's largest memory map, as Node's build of it allows (SQLITE_MAX_MMAP_SIZE). */
const MOST_MAPPED_BYTES = 0x7fff0000;

/**
 * SQLite: lets this connection read the file through a memory map (its first 2 GB) instead of
 * copying each page it reads from the operating system's cache. A server's requests read rows
 * from all over the file (a code check reads one notice of a million): bench:portal's genuine
 * checks on SQLite, 0.53× → 0.63× the static page. Serving connections only: the mapped pages a
 * process reads count as its resident memory, which a scope run or an import keeps low.
 */
export async function readThroughMemoryMap(db: Kysely<Tables>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') await sql`PRAGMA mmap_size = ${sql.raw(String(MOST_MAPPED_BYTES))}`.execute(db);
}

/**
 * Runs a query built with Kysely as a prepared statement named `name` on PostgreSQL (see
 * preparingMarked): one name per SQL text, so a query whose text varies with its options (a
 * filter given or not) takes a name per variant. On SQLite it is run like every other query.
 *
 * PostgreSQL still plans a prepared statement anew for each run's values while it guesses that
 * its plan for any values (its generic plan) would cost more, which it always does with a
 * `LIMIT $n`: it takes a tenth of the rows for the limit. `plannedOnce` runs it (given the
 * database, not a transaction, which runs it as the others) on connections that take the generic plan (plan_cache_mode), for a statement whose
 * plan the values do not change (a page walking an index in order). bench:api's affected pages,
 * in-process, 2,000 of each filter: the backend's CPU a page 0.35, 0.53, 0.37 ms → 0.29, 0.45, 0.29 ms.
 */
export async function executePrepared<Row>(db: Kysely<Tables>, name: string, query: Compilable<Row>, options: { plannedOnce?: boolean } = {}): Promise<Row[]> {
  return runPrepared<Row>(db, preparedName(name), query.compile(), options);
}

function preparedName(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`a prepared statement's name is lower-case letters, digits and _: ${name}`);
  return name;
}

async function runPrepared<Row>(db: Kysely<Tables>, name: string, compiled: CompiledQuery, options: { plannedOnce?: boolean }): Promise<Row[]> {
  const sql = `/* prepared:${name} */ ${compiled.sql}`;
  const plannedOnce = options.plannedOnce ? plannedOncePools.get(db) : undefined;
  if (!plannedOnce) return (await db.executeQuery<Row>({ ...compiled, sql })).rows;
  const client = await plannedOnce.connect();
  try {
    return (await client.query(sql, compiled.parameters as unknown[])).rows as Row[];
  } finally {
    client.release();
  }
}

/**
 * What stands in a statement built once (executeBuiltOnce) for the value of one of its keys: a
 * parameter only. Made into text (a template literal, `sql.raw`), it throws: the text would be
 * the same for every run.
 */
class Placeholder {
  readonly key: string;
  constructor(key: string) {
    this.key = key;
  }

  [Symbol.toPrimitive](): never {
    throw new Error(`the value "${this.key}" of a statement built once is a parameter: pass it to Kysely as a value, never as text`);
  }
}

/** A statement built once: its compiled SQL, with Placeholders among the parameters, and the keys it was built with (the run's values must give those, and only those). */
interface BuiltStatement {
  compiled: CompiledQuery;
  given: ReadonlySet<string>;
}

/** Each database's statements built once, by name. */
const builtOnce = new WeakMap<Kysely<Tables>, Map<string, BuiltStatement>>();

/**
 * executePrepared for a hot statement that Kysely builds and compiles only once per database and
 * name, not for every run: `build` is given `values` with a placeholder for each value that is
 * not undefined, and must make of them the query that `name` stands for, passing each to Kysely
 * as a value, as it is (a value to transform is transformed before, in `values`). Undefined
 * values may change its shape (a filter given or not), each shape under a name of its own: a run
 * that gives other keys than its statement was built with, or a build that leaves one out, throws.
 * Each run then only puts its values in the compiled parameters. Building and compiling bench:api's page
 * took 0.03 ms of Node's CPU, and its objects, alive while the page waits for a connection, cost
 * the garbage collector more: the serving processes' CPU a page, the code before and after side
 * by side by turns (three 10 s runs each, two filters), 0.58–0.78 → 0.45–0.60 ms; pages/s 10–20 % more.
 */
export async function executeBuiltOnce<Row, Values extends object>(
  db: Kysely<Tables>,
  name: string,
  values: Values,
  build: (values: Values) => Compilable<Row>,
  options: { plannedOnce?: boolean } = {},
): Promise<Row[]> {
  let statements = builtOnce.get(db);
  if (!statements) builtOnce.set(db, (statements = new Map()));
  let statement = statements.get(name);
  if (!statement) {
    preparedName(name);
    const given = new Set(Object.keys(values).filter((key) => values[key as keyof Values] !== undefined));
    const compiled = build(Object.fromEntries([...given].map((key) => [key, new Placeholder(key)])) as Values).compile();
    const used = new Set(compiled.parameters.filter((parameter) => parameter instanceof Placeholder).map((parameter) => parameter.key));
    const unused = [...given].filter((key) => !used.has(key));
    if (unused.length > 0) throw new Error(`statement ${name}: built without the parameter ${unused.join(', ')}`);
    statement = { compiled, given };
    statements.set(name, statement);
  }
  // The run gives the keys the statement was built with, checked without allocating: this is a hot statement's path.
  let defined = 0;
  let same = true;
  for (const key in values) {
    if (values[key] === undefined) continue;
    defined++;
    same &&= statement.given.has(key);
  }
  if (!same || defined !== statement.given.size) {
    const keys = (set: Iterable<string>) => [...set].sort().join(',');
    const run = Object.keys(values).filter((key) => values[key as keyof Values] !== undefined);
    throw new Error(`statement ${name} was built with ${keys(statement.given)}, and is run with ${keys(run)}: give each shape a name of its own`);
  }
  const { compiled } = statement;
  const parameters = compiled.parameters.map((parameter: unknown) => (parameter instanceof Placeholder ? (values as Record<string, unknown>)[parameter.key] : parameter));
  return runPrepared<Row>(db, name, { ...compiled, parameters }, options);
}

/** How a statement asks to be prepared: its SQL begins with this comment (`/* prepared:verify_code *\/ SELECT …`). */
const PREPARED = /^\/\* prepared:([a-z0-9_]+) \*\//;

/**
 * A hot statement (the portal's code check) is planned on each run like any other unless it is
 * prepared, which on a busy server measured as much of its cost as running it: a statement whose
 * SQL begins with `/* prepared:NAME *\/` is prepared once per connection under NAME, and then
 * only bound and run. Each NAME belongs to one SQL text.
 */
function preparingMarked(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof config === 'string' ? PREPARED.exec(config)?.[1] : undefined;
    return name ? query({ name, text: config, values }, callback) : query(config, values, callback);
  }) as typeof client.query;
}

/**
 * Kysely's PostgreSQL introspection, which the migrator asks whether its tables exist, reads
 * every schema of the database and calls functions on each (has_schema_privilege): a schema that
 * another Tocsin database on the same server drops meanwhile makes it fail with "schema does not
 * exist". Tocsin's tables live in the connection's current schema, so only that one is looked at.
 */
class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return {
      async getSchemas() {
        const { rows } = await sql<{ name: string }>`SELECT current_schema() AS name`.execute(db);
        return rows;
      },
      async getTables() {
        const { rows } = await sql<{ name: string; schema: string; is_view: boolean }>`
          SELECT table_name AS name, table_schema AS schema, table_type = 'VIEW' AS is_view
          FROM information_schema.tables WHERE table_schema = current_schema()`.execute(db);
        return rows.map((row) => ({ name: row.name, schema: row.schema, isView: row.is_view, columns: [] }));
      },
      async getMetadata() {
        return { tables: await this.getTables() };
      },
    };
  }
}

/**
 * The PostgreSQL connections of each of `processes` serving processes, unless database_pool says:
 * where PostgreSQL runs on this machine (its host is this one, or a socket directory), the cores
 * shared among them, at least 2; elsewhere (or on SQLite) the pool's 10. A backend at work takes a
 * core from the processes that serve: bench:api's PostgreSQL pages, two serving processes on two
 * cores, p99 98–107 ms with 10 connections each, 47–56 ms with 2. Where PostgreSQL is another
 * machine's, the connections wait on the network rather than on the cores.
 */
export function servingPool(databaseUrl: string | undefined, processes: number, cores = availableParallelism()): number {
  return databaseUrl && isLocalPostgres(databaseUrl) ? Math.max(2, Math.ceil(cores / processes)) : DEFAULT_POOL;
}

/** Whether a postgres:// URL names this machine: no host (libpq's socket), a socket directory, localhost or a loopback address. */
function isLocalPostgres(url: string): boolean {
  let host: string;
  try {
    const parsed = new URL(url);
    host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname);
  } catch {
    // Not a URL, or a host with a stray %: whatever it names, not one of these.
    return false;
  }
  return host === '' || host.startsWith('/') || host === 'localhost' || (isIPv4(host) && host.startsWith('127.')) || host === '[::1]';
}

/**
 * `url`, refused without a database name: PostgreSQL would then take the user's name for it
 * (`postgres`, the maintenance database) and Tocsin would put its tables there.
 */
function checkedPostgresUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidInput('BAD_DATABASE_URL', `DATABASE_URL '${redact(url)}' is not a valid URL; write it as postgres://user:password@host:5432/database`);
  }
  if (parsed.pathname.replace(/^\//, '') === '') {
    throw invalidInput(
      'BAD_DATABASE_URL',
      `DATABASE_URL '${redact(url)}' names no database, and PostgreSQL would use the user's name (the postgres maintenance database for postgres); add one: postgres://user:password@host:5432/tocsin`,
    );
  }
  return url;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

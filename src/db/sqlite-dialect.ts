import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { setImmediate, setTimeout } from 'node:timers/promises';
import {
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryResult,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';

/** SQLite runs DDL inside transactions, so a failed migration can roll back whole. */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Kysely's SQLite dialect over the built-in `node:sqlite`, which differs from better-sqlite3
 * (the shape Kysely expects) in passing parameters variadically and in how it tells readers.
 * Prepared statements are cached by SQL text: Kysely prepares on every query.
 * A statement that finds the database locked by another connection waits until it is not
 * (waitingForLocks), calling `onLocked` once it has waited LOCK_PATIENCE_MS.
 */
export class NodeSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  readonly #onLocked: () => void;

  constructor(database: DatabaseSync, onLocked: () => void) {
    const bridged = bridge(database);
    super({ database: bridged });
    this.#database = bridged;
    this.#onLocked = onLocked;
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }

  override createDriver(): Driver {
    return new LockWaitingDriver(this.#database, this.#onLocked);
  }
}

class LockWaitingDriver extends SqliteDriver {
  readonly #onLocked: () => void;
  #connection: DatabaseConnection | undefined;

  constructor(database: SqliteDatabase, onLocked: () => void) {
    super({ database });
    this.#onLocked = onLocked;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.#connection ??= waitingForLocks(connection, this.#onLocked);
    return this.#connection;
  }
}

/**
 * How long a statement waits for another connection's write lock before `onLocked` is called (a
 * command then says it is waiting, and waits on as long as it takes): imports and scope runs hold it for minutes.
 */
const LOCK_PATIENCE_MS = 1000;

/**
 * The pauses between a statement's tries for the write lock, the last repeated: the first tries
 * on the event loop's next turns, as another connection's commit holds the lock for well under a
 * millisecond, then longer, as an import holds it for minutes.
 */
const LOCK_RETRY_MS = [0, 0, 0, 1, 1, 2, 5, 10, 20, 50, 100];

/**
 * Runs each statement again while SQLite says another connection holds the write lock, waiting
 * between tries on the event loop (LOCK_RETRY_MS) rather than in SQLite: node:sqlite runs a
 * statement on the calling thread, and SQLite's busy timeout sleeps there (1, 2, 5, 10… ms),
 * which held up every request of a serving process while another wrote (bench:portal's lookups
 * on SQLite: a sixth of each serving process's time). A statement refused for the lock did
 * nothing, so running it again is safe. A stale snapshot (SQLITE_BUSY_SNAPSHOT: the transaction
 * read before it wrote) never clears by waiting, and fails as before.
 */
function waitingForLocks(connection: DatabaseConnection, onLocked: () => void): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      let since: number | undefined;
      for (let tries = 0; ; tries++) {
        try {
          return await connection.executeQuery<R>(query);
        } catch (error) {
          if (!isLocked(error)) throw error;
          since ??= performance.now();
          if (performance.now() - since >= LOCK_PATIENCE_MS) onLocked();
          const pause = LOCK_RETRY_MS[Math.min(tries, LOCK_RETRY_MS.length - 1)];
          await (pause === 0 ? setImmediate() : setTimeout(pause));
        }
      }
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

// SQLITE_BUSY, and its extended codes that waiting clears: _RECOVERY (another connection recovers
// the WAL) and _TIMEOUT. Not _SNAPSHOT (517).
export const LOCKED_CODES: ReadonlySet<number> = new Set([5, 261, 773]);

function isLocked(error: unknown): boolean {
  return LOCKED_CODES.has((error as { errcode?: unknown } | null)?.errcode as number);
}

const STATEMENT_CACHE_SIZE = 200;

function bridge(database: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (!statement) {
        statement = adapt(database.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

function adapt(statement: StatementSync): SqliteStatement {
  const params = (parameters: ReadonlyArray<unknown>) => parameters as SQLInputValue[];
  return {
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...params(parameters)),
    run: (parameters) => statement.run(...params(parameters)),
    iterate: (parameters) => statement.iterate(...params(parameters)),
  };
}

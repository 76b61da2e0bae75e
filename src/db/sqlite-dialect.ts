import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { setImmediate } from 'node:timers/promises';
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
 * A statement that finds the database locked by another process waits until it is not, calling
 * `onLocked` each time the database's busy timeout ran out.
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
 * Runs each statement again while SQLite says another process holds the write lock (each try
 * waits the busy timeout inside SQLite). Between tries the event loop runs, so signals and
 * timers are not held up for longer than one timeout. A statement refused for the lock did
 * nothing, so running it again is safe. A stale snapshot (SQLITE_BUSY_SNAPSHOT: the
 * transaction read before it wrote) never clears by waiting, and fails as before.
 */
function waitingForLocks(connection: DatabaseConnection, onLocked: () => void): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      for (;;) {
        try {
          return await connection.executeQuery<R>(query);
        } catch (error) {
          if (!isLocked(error)) throw error;
          onLocked();
          await setImmediate();
        }
      }
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

// SQLITE_BUSY, and its extended codes that waiting clears: _RECOVERY (another connection recovers
// the WAL) and _TIMEOUT. Not _SNAPSHOT (517).
const LOCKED_CODES = new Set([5, 261, 773]);

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

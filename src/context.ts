import { pino, type Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import { type Database, type Dialect, migrateToLatest, migrations, openDatabase, type Tables } from './db/index.ts';

/** What every service takes instead of globals: the database, the clock, who acts, the logger, the configuration. */
export interface Context {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** Injectable so deadlines and audit times are testable. */
  now: () => Date;
  /** Who is recorded in the audit log: `--actor`, else the configuration's (the OS user by default). */
  actor: string;
  logger: Logger;
  /** Where files live beside the database: the secret key, incident templates, the outbox (config.data_dir). */
  dataDir: string;
  config: Config;
}

export interface ContextOptions {
  config: Config;
  actor?: string;
  now?: () => Date;
  logger?: Logger;
  /** Told once, when a command must wait for another process to finish writing to the SQLite file. */
  onWait?: (message: string) => void;
}

export interface OpenContext extends Context {
  database: Database;
  close(): Promise<void>;
}

/** Opens the database, applies pending migrations (first use sets the schema up) and builds a context. */
export async function openContext(options: ContextOptions): Promise<OpenContext> {
  const { config } = options;
  const database = await openDatabase({ dataDir: config.data_dir, databaseUrl: config.database_url, pool: config.database_pool, onWait: options.onWait });
  try {
    await migrateToLatest(database, migrations(config.data_dir, config));
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    db: database.db,
    dialect: database.dialect,
    now: options.now ?? (() => new Date()),
    actor: options.actor ?? config.actor ?? 'unknown',
    logger: options.logger ?? createLogger(config.log_level),
    dataDir: config.data_dir,
    config,
    database,
    close: () => database.close(),
  };
}

/** Structured logs go to stderr, so stdout stays clean for `--json`. They never carry personal data. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}

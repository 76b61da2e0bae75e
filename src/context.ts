import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Kysely } from 'kysely';
import { type Database, type DatabaseConfig, type Dialect, migrateToLatest, openDatabase, type Tables } from './db/index.ts';

/** What every service takes instead of globals: the database, the clock, who acts, the logger. */
export interface Context {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** Injectable so deadlines and audit times are testable. */
  now: () => Date;
  /** Who is recorded in the audit log: `--actor`, else the OS user. */
  actor: string;
  logger: Logger;
  /** Where files live beside the database: the secret key, incident templates, the outbox. */
  dataDir: string;
}

export interface ContextOptions extends DatabaseConfig {
  actor?: string;
  now?: () => Date;
  logger?: Logger;
}

export interface OpenContext extends Context {
  database: Database;
  close(): Promise<void>;
}

/** Opens the database, applies pending migrations (first use sets the schema up) and builds a context. */
export async function openContext(options: ContextOptions): Promise<OpenContext> {
  const database = await openDatabase(options);
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    db: database.db,
    dialect: database.dialect,
    now: options.now ?? (() => new Date()),
    actor: options.actor ?? defaultActor(),
    logger: options.logger ?? createLogger(),
    dataDir: resolve(options.dataDir),
    database,
    close: () => database.close(),
  };
}

function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** Structured logs go to stderr, so stdout stays clean for `--json`. They never carry personal data. */
export function createLogger(level = process.env.TOCSIN_LOG_LEVEL ?? 'warn'): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}

import type { Command } from 'commander';
import { exposedDirectoryWarning } from '../lib/directory.ts';
import { usageError } from '../lib/errors.ts';
import { openContext, createLogger, type OpenContext } from '../context.ts';
import type { DatabaseConfig } from '../db/index.ts';
import { say } from './io.ts';

export interface GlobalOptions {
  dataDir: string;
  actor?: string;
  debug?: boolean;
}

/**
 * Where state lives: --data-dir, else TOCSIN_DATA_DIR, else ./tocsin-data; DATABASE_URL switches to
 * PostgreSQL. A command that must wait for another's lock on SQLite says so on stderr.
 */
export function databaseConfig(command: Command): DatabaseConfig {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return { dataDir: globals.dataDir, databaseUrl: process.env.DATABASE_URL || undefined, onWait: (message) => say(`tocsin: ${message}`) };
}

/** Runs a command's body with an open context and closes it whatever happens; warns first of a data directory open to others. */
export async function withContext<T>(command: Command, body: (ctx: OpenContext) => Promise<T>): Promise<T> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const ctx = await openContext({
    ...databaseConfig(command),
    actor: globals.actor,
    logger: createLogger(globals.debug ? 'debug' : undefined),
  });
  const warning = exposedDirectoryWarning(ctx.dataDir, 'the data directory');
  if (warning) say(warning);
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}

/** A commander argument parser for whole numbers: '1000000' or '1_000_000'; anything else is a usage error. */
export function wholeNumber(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value.replaceAll('_', ''));
    if (!/^\d[\d_]*$/.test(value) || !Number.isSafeInteger(number)) {
      throw usageError('BAD_NUMBER', `${flag} '${value}' is not a whole number`);
    }
    return number;
  };
}

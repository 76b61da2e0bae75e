import type { Command } from 'commander';
import { exposedDirectoryWarning } from '../lib/directory.ts';
import { invalidInput } from '../lib/errors.ts';
import { loadConfig, type Config, type ConfigFlags, type LoadedConfig } from '../config.ts';
import { openContext, type OpenContext } from '../context.ts';
import type { DatabaseConfig } from '../db/index.ts';
import { say } from './io.ts';

export type GlobalOptions = ConfigFlags;

/** The configuration this command line runs with: its global flags over the environment over tocsin.yml over the defaults. */
export function commandConfig(command: Command): LoadedConfig {
  return loadConfig(command.optsWithGlobals<GlobalOptions>());
}

/** Where state lives, from the configuration. A command that must wait for another's lock on SQLite says so on stderr. */
export function databaseConfig(config: Config): DatabaseConfig {
  return { dataDir: config.data_dir, databaseUrl: config.database_url, onWait: sayWaiting };
}

const sayWaiting = (message: string) => say(`tocsin: ${message}`);

/** Runs a command's body with an open context and closes it whatever happens; warns first of a data directory open to others. */
export async function withContext<T>(command: Command, body: (ctx: OpenContext) => Promise<T>): Promise<T> {
  const ctx = await openContext({ config: commandConfig(command).config, onWait: sayWaiting });
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
      throw invalidInput('BAD_NUMBER', `${flag} '${value}' is not a whole number`);
    }
    return number;
  };
}

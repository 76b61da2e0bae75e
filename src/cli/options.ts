import type { Command } from 'commander';
import { exposedDirectoryWarning } from '../lib/directory.ts';
import { invalidInput } from '../lib/errors.ts';
import { loadConfig, type Config, type ConfigFlags, type LoadedConfig } from '../config.ts';
import { openContext, type OpenContext } from '../context.ts';
import type { DatabaseConfig } from '../db/index.ts';
import { commandIo, say } from './io.ts';

export type GlobalOptions = ConfigFlags;

/** The configuration this command line runs with: its global flags over the environment over tocsin.yml over the defaults. */
export function commandConfig(command: Command): LoadedConfig {
  return loadConfig(command.optsWithGlobals<GlobalOptions>(), commandIo().env);
}

/** Where state lives, from the configuration. A command that must wait for another's lock on SQLite says so on stderr. */
export function databaseConfig(config: Config): DatabaseConfig {
  return { dataDir: config.data_dir, databaseUrl: config.database_url, pool: config.database_pool, onWait: sayWaiting };
}

const sayWaiting = (message: string) => say(`tocsin: ${message}`);

/** Runs a command's body with an open context and closes it whatever happens; warns first of a data directory open to others. */
export function withContext<T>(command: Command, body: (ctx: OpenContext) => Promise<T>): Promise<T> {
  return withConfigContext(commandConfig(command).config, body);
}

/** withContext on a configuration the command made itself (the demo's, in its workspace). */
export async function withConfigContext<T>(config: Config, body: (ctx: OpenContext) => Promise<T>): Promise<T> {
  const ctx = await openContext({ config, onWait: sayWaiting });
  const warning = exposedDirectoryWarning(ctx.dataDir, 'the data directory');
  if (warning) say(warning);
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}

/**
 * The server's flags, on `tocsin serve` and `tocsin demo --serve`: each sets the configuration key
 * of its name (config.ts), over tocsin.yml and the environment.
 */
export function withServerFlags(command: Command): Command {
  return command
    .option('--listen <host:port>', 'the staff listener: console, /api/, /metrics (listen, TOCSIN_LISTEN; default 127.0.0.1:8080)')
    .option('--public-listen <host:port>', 'the public listener: portal, report intake, researchers, security.txt (public_listen, TOCSIN_PUBLIC_LISTEN; default 127.0.0.1:8081)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate chain (PEM), with --tls-key (tls.cert_file, TOCSIN_TLS_CERT)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM) (tls.key_file, TOCSIN_TLS_KEY)')
    .option('--smtp-listen <host:port>', 'the reporting mailbox: take reported mail over SMTP here, each message a phishing report (phishing.smtp.listen, TOCSIN_PHISHING_SMTP_LISTEN; off by default)')
    .option('--trust-proxy <cidr...>', 'reverse proxies in front (addresses or CIDRs) whose X-Forwarded-For and X-Forwarded-Proto are believed (trust_proxy, TOCSIN_TRUST_PROXY)')
    .option('--upload-limit <size>', 'the largest file the API takes as an upload, e.g. 2GiB (upload_limit, TOCSIN_UPLOAD_LIMIT; default 1GiB)')
    .option('--processes <count>', 'how many processes serve HTTP on the listeners, e.g. one a core (processes, TOCSIN_PROCESSES; default 1)')
    .option('--import-dir <dir...>', 'directories whose files API callers may import and scope by path; no .., no symbolic links out (import_dirs, TOCSIN_IMPORT_DIRS)');
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

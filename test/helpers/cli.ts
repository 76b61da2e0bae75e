import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '../../src/db/connect.ts';

const BIN = fileURLToPath(new URL('../../bin/tocsin.ts', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `tocsin` binary in a child process, on the given database; `umask` (e.g. '022') is set by a shell first, `input` is its standard input. */
export function tocsin(args: string[], options: { database?: DatabaseConfig; env?: Record<string, string>; umask?: string; input?: string | Buffer } = {}): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, TOCSIN_DATA_DIR: undefined, DATABASE_URL: undefined, CI: '1', ...options.env };
  if (options.database) {
    env.TOCSIN_DATA_DIR = options.database.dataDir;
    env.DATABASE_URL = options.database.databaseUrl;
  }
  const command = [process.execPath, BIN, ...args];
  const [file, ...rest] = options.umask === undefined ? command : ['/bin/sh', '-c', `umask ${options.umask} && exec "$@"`, 'sh', ...command];
  const result = spawnSync(file, rest, { env, encoding: 'utf8', timeout: 60_000, input: options.input });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

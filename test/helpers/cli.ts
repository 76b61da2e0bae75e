import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/index.ts';
import type { DatabaseConfig } from '../../src/db/connect.ts';

const BIN = fileURLToPath(new URL('../../bin/tocsin.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  database?: DatabaseConfig;
  env?: Record<string, string>;
  /** Its standard input. */
  input?: string | Buffer;
}

/** The environment a command line gets: this process's, without its Tocsin settings, with the database's and `env`. */
function commandEnv(options: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', ...options.env };
  if (!options.env?.TOCSIN_DATA_DIR) delete env.TOCSIN_DATA_DIR;
  if (!options.env?.DATABASE_URL) delete env.DATABASE_URL;
  if (options.database) {
    env.TOCSIN_DATA_DIR = options.database.dataDir;
    env.DATABASE_URL = options.database.databaseUrl;
  }
  return env;
}

/**
 * Runs a `tocsin` command line in this process, through the same `main` as the binary, with its
 * own standard streams and environment: what most tests of a command need, without a Node.js
 * process starting (a fifth of a second idle, a second on a busy CI machine) for each. What only
 * the binary does (its umask, its exit on a closed pipe, signals) is tested with `tocsin`.
 */
export async function tocsinMain(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = collected();
  const stderr = collected();
  const stdin = Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]);
  const status = await main([process.execPath, BIN, ...args], { stdout: stdout.stream, stderr: stderr.stream, stdin, env: commandEnv(options), exitStatus: 0 });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

function collected(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs the real `tocsin` binary in a child process, on the given database; `umask` (e.g. '022') is set by a shell first, `input` is its standard input. */
export function tocsin(args: string[], options: CliOptions & { umask?: string } = {}): CliResult {
  const env = commandEnv(options);
  const command = [process.execPath, BIN, ...args];
  const [file, ...rest] = options.umask === undefined ? command : ['/bin/sh', '-c', `umask ${options.umask} && exec "$@"`, 'sh', ...command];
  // Short of a test's 180 s: a hung command fails its test with what it printed, while a slow one on a busy machine (the demo, under load) still finishes.
  const result = spawnSync(file, rest, { env, encoding: 'utf8', timeout: 150_000, input: options.input });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface RunningTocsin {
  child: ChildProcess;
  /** Its standard error so far. */
  stderr(): string;
  /** Its exit status (null when a signal ended it). */
  exited: Promise<number | null>;
}

/**
 * Starts the real `tocsin` binary as a long-running child process (`tocsin serve`, `demo --serve`)
 * with exactly the environment given, and resolves once `ready` finds what it waits for in its
 * standard error; rejects, with that standard error, if the process ends first.
 */
export async function startTocsin<T>(args: string[], options: { env: NodeJS.ProcessEnv; ready: (stderr: string) => T | undefined }): Promise<RunningTocsin & { found: T }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  const found = await new Promise<T>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const value = options.ready(stderr);
      if (value !== undefined) resolve(value);
    });
    void exited.then((code) => reject(new Error(`tocsin ${args[0]} exited ${code}: ${stderr}`)));
  });
  return { child, stderr: () => stderr, exited, found };
}

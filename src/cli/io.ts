import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { invalidInput, reasonOf } from '../lib/errors.ts';
import { writePrivateFile } from '../lib/private-file.ts';
import { csvLine } from '../lib/csv.ts';
import { terminalJson, terminalLines, terminalText } from './terminal.ts';

/**
 * What a command line reads and writes: the process's own streams and environment, or (in a test
 * that runs many command lines in one process) streams of its own. Commands reach them only
 * through here, and set their exit status here rather than on `process`.
 */
export interface CommandIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  /** The environment, when not the process's (which only the configuration loader reads). */
  env?: NodeJS.ProcessEnv;
  /** What the command line exits with when it finishes without an error: a command that reports a failure (a broken audit chain) sets it. */
  exitStatus: number;
}

const running = new AsyncLocalStorage<CommandIo>();
let processIo: CommandIo | undefined;

/** The streams and environment of the command line running now. */
export function commandIo(): CommandIo {
  return running.getStore() ?? (processIo ??= { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, exitStatus: 0 });
}

/** Runs `body` with `io` as its command line's streams and environment. */
export function withCommandIo<T>(io: CommandIo, body: () => Promise<T>): Promise<T> {
  return running.run(io, body);
}

/** The command line ends with `status` once its command finishes. */
export function exitWith(status: number): void {
  commandIo().exitStatus = status;
}

/**
 * stdout carries results (and only JSON with --json); everything for people goes to stderr.
 * Whatever reaches the terminal holds data (names, addresses, log lines, paths), so it goes
 * through terminal.ts on the way.
 */
export function printJson(value: unknown): void {
  commandIo().stdout.write(`${terminalJson(JSON.stringify(value, null, 2))}\n`);
}

/** One JSON object on one line: a stream of results (one per message) that `jq -c` or a line reader takes as it comes. */
export function printJsonLine(value: unknown): void {
  commandIo().stdout.write(`${terminalJson(JSON.stringify(value))}\n`);
}

export function printLine(text = ''): void {
  commandIo().stdout.write(`${terminalLines(text)}\n`);
}

/** A file's text as it is (no line break added), made safe for a terminal as printLine's is. */
export function printText(text: string): void {
  commandIo().stdout.write(terminalLines(text));
}

export function say(text = ''): void {
  commandIo().stderr.write(`${terminalLines(text)}\n`);
}

/** A command's JSON output: exact for a file (--out), with its data made safe for a terminal on stdout. */
export function jsonText(value: unknown, screen: boolean): string {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  return screen ? terminalJson(text) : text;
}

/** A command's CSV output: exact for a file (--out), each cell made safe for a terminal on stdout. */
export function csvText(header: readonly string[], rows: readonly (string | number | null)[][], screen: boolean): string {
  const safe = (cells: readonly (string | number | null)[]) => (screen ? cells.map((cell) => (typeof cell === 'string' ? terminalText(cell) : cell)) : cells);
  return csvLine(header) + rows.map((row) => csvLine(safe(row))).join('');
}

/** What `--out FILE` asks for: the file, owner-only (it lists people), or a usage-level error naming it. */
export function writeOutFile(path: string, text: string): void {
  try {
    writePrivateFile(path, text);
  } catch (error) {
    throw invalidInput('OUT_UNWRITABLE', `cannot write ${path} (${reasonOf(error)}); choose another --out`);
  }
}

/**
 * Left-aligned columns; cells are cut short of nothing: results are for reading, not for a fixed
 * width. A cell's line breaks (an address of several lines) read as ', ', so each row stays one
 * line, and its other control characters are replaced (see terminalText).
 */
export function formatTable(header: string[], cells: string[][]): string {
  const rows = cells.map((row) => row.map((cell) => terminalText(cell.replace(/\r\n|[\r\n]/g, ', '))));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatFields(fields: [string, string | number | null | undefined][]): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${terminalText(String(value ?? '—'))}`).join('\n');
}

export interface Progress {
  /** `total` changes the bar's end, for work whose size is learnt on the way. */
  update(done: number, total?: number): void;
  stop(): void;
}

/** A progress bar on stderr when a person is watching; silent in pipes and when `quiet` (--json runs, progress off in the configuration as in CI). */
export function progressBar(label: string, total: number, options: { quiet?: boolean } = {}): Progress {
  const { stderr } = commandIo();
  if (options.quiet || !stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: stderr, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done, newTotal) => {
      if (newTotal !== undefined && newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}

/** The password from standard input: its first line, without the line break. Never echoed, never logged. */
export async function readPassword(): Promise<string> {
  const { stdin } = commandIo();
  if (stdin.isTTY) throw invalidInput('PASSWORD_STDIN', '--password-stdin reads the password from a pipe, e.g. `pass show tocsin/ana | tocsin user add …`');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  if (!password) throw invalidInput('PASSWORD_STDIN', '--password-stdin read no password from standard input');
  return password;
}

/** A UTF-8 text file a command takes (`-`: standard input), or a usage-level error naming it. */
export async function readTextFile(file: string): Promise<string> {
  try {
    if (file !== '-') return readFileSync(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of commandIo().stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw invalidInput('FILE_UNREADABLE', `cannot read ${file} (${reasonOf(error)})`);
  }
}

/**
 * Scans access logs for requests that named records through the scope's rules, on worker
 * threads: plain files are split into byte ranges (pieces) so that one big log keeps every
 * core busy; a gzip file can only be read whole, by one worker. Files are hashed as stored by
 * the same workers, first: SHA-256 cannot be split, so one worker hashes a big file while the
 * others scan it.
 *
 * Line numbers are exact however a file is split (see LineNumbering).
 *
 * Memory: each worker holds a read buffer of about 1.5 MiB and at most one batch of hits
 * (2048); the main thread holds the hit batches of pieces waiting for an earlier piece of
 * their file (about one piece per worker), plus — unless `onHits` takes them as they come —
 * every hit. In mode `attacker` hits are few; in mode `all` on a big log pass `onHits`, and
 * `ready` when what onHits hands them to may fall behind.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { byteRanges, isGzipFile, type LogReading, splittable } from '../evidence/index.ts';
import { reasonOf, TocsinError, invalidInput } from '../lib/errors.ts';
import type { ClientAddressRule } from './client-address.ts';
import type { FileStats, Hit, ScanMode } from './hits.ts';
import { LineNumbering } from './line-numbering.ts';
import type { Piece, PieceStats, ScanSetup } from './scan-piece.ts';
import { runTasks } from './scan-pool.ts';
import type { FromScanWorker, ScanTask } from './scan-worker.ts';
import type { ScopeFile } from './scope-file.ts';

export type { FileStats, Hit, LogFormat, ScanMode } from './hits.ts';
export type { LogReading } from '../evidence/index.ts';

export type ScanOptions = {
  reading: LogReading;
  /** Where a request's client address comes from; the peer's as logged when left out. */
  clientAddress?: ClientAddressRule;
  mode: ScanMode;
  /** Worker threads; as many as the machine has cores when left out. */
  parallelism?: number;
  /** Bytes scanned and hashed so far, of all there are to scan and hash. */
  onProgress?: (bytes: number, totalBytes: number) => void;
  /**
   * Takes hits in batches as soon as their line numbers are known, in line order within each
   * file, instead of the result holding them all.
   */
  onHits?: (hits: Hit[]) => void;
  /**
   * Awaited before each piece is handed to a worker: a consumer of `onHits` that stores hits
   * more slowly than the workers find them holds the scan back, so that the hits waiting for it
   * stay bounded (by the pieces under way) whatever the size of the logs.
   */
  ready?: () => Promise<void>;
  /** SHA-256 (hex) already taken of some files, by path as given — e.g. when registered as evidence: not read again to hash. */
  digests?: ReadonlyMap<string, string>;
  /** What hits and stats call a file instead of its path (standard input's copy: `(stdin)`). */
  names?: ReadonlyMap<string, string>;
  /** The largest byte range of a plain file one worker scans at a time. */
  pieceBytes?: number;
  /** Aborting it stops the scan at the next report of a worker, failing it with the signal's reason. */
  signal?: AbortSignal;
};

export type ScanResult = {
  /** In the order of the files given, then of lines; empty when `onHits` took them. */
  hits: Hit[];
  files: FileStats[];
};

type Input = { path: string; bytes: number; gzip: boolean };

const DEFAULT_PIECE_BYTES = 64 << 20;

async function describeInput(path: string): Promise<Input & { identity: string }> {
  const unreadable = (reason: string) => invalidInput('LOG_UNREADABLE', `cannot read the log ${path} (${reason}); check the path`);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw unreadable('not a file');
    return { path, bytes: info.size, gzip: await isGzipFile(path), identity: `${info.dev}:${info.ino}` };
  } catch (error) {
    throw error instanceof TocsinError ? error : unreadable(reasonOf(error));
  }
}

/** Each file's size and kind; a usage error for a path that is not a readable file, or a file given twice. */
async function describeInputs(files: readonly string[]): Promise<Input[]> {
  const inputs = await Promise.all(files.map(describeInput));
  const seen = new Map<string, string>();
  for (const { path, identity } of inputs) {
    const earlier = seen.get(identity);
    if (earlier !== undefined) throw invalidInput('LOG_TWICE', `${earlier} and ${path} are the same file; give each log once`);
    seen.set(identity, path);
  }
  return inputs.map(({ path, bytes, gzip }) => ({ path, bytes, gzip }));
}

/** The pieces of each file, in order: a gzip file whole, a plain one in byte ranges when its format allows. */
function planPieces(inputs: readonly Input[], pieceBytes: number, split: boolean): Piece[][] {
  let id = 0;
  return inputs.map(({ path, bytes, gzip }) =>
    gzip || !split
      ? [{ id: id++, path, start: 0, end: Number.POSITIVE_INFINITY }]
      : byteRanges(bytes, Math.max(1, Math.ceil(bytes / pieceBytes))).map((range) => ({ id: id++, path, ...range })),
  );
}

/** gzip files first, biggest first — they cannot be split and run longest — then the ranges of plain files in order. */
function scheduleOrder(inputs: readonly Input[], piecesOf: readonly Piece[][]): Piece[] {
  const order = inputs.map((input, index) => ({ input, pieces: piecesOf[index] }));
  order.sort((a, b) => Number(b.input.gzip) - Number(a.input.gzip) || (a.input.gzip ? b.input.bytes - a.input.bytes : 0));
  return order.flatMap(({ pieces }) => pieces);
}

function fileStats(input: Input, pieces: readonly PieceStats[], sha256: string): FileStats {
  const sum = (key: 'lines' | 'parsed' | 'unparseable' | 'truncated' | 'tooLong') => pieces.reduce((total, piece) => total + piece[key], 0);
  const times = (key: 'firstTime' | 'lastTime') => pieces.flatMap((piece) => (piece[key] === null ? [] : [piece[key]]));
  // A piece numbers its lines from 1: its first unparsed line is offset by the lines of the pieces before it.
  let offset = 0;
  let firstUnparsed: FileStats['firstUnparsed'] = null;
  for (const piece of pieces) {
    if (piece.firstUnparsed !== null) {
      firstUnparsed = { ...piece.firstUnparsed, line: piece.firstUnparsed.line + offset };
      break;
    }
    offset += piece.lines;
  }
  return {
    file: input.path,
    sha256,
    bytes: input.bytes,
    lines: sum('lines'),
    parsed: sum('parsed'),
    unparseable: sum('unparseable'),
    truncated: sum('truncated'),
    tooLong: sum('tooLong'),
    firstTime: times('firstTime').length > 0 ? Math.min(...times('firstTime')) : null,
    lastTime: times('lastTime').length > 0 ? Math.max(...times('lastTime')) : null,
    firstUnparsed,
    error: pieces.find((piece) => piece.error !== null)?.error ?? null,
  };
}

export async function scanLogs(files: readonly string[], scope: ScopeFile, options: ScanOptions): Promise<ScanResult> {
  if (options.mode === 'attacker' && scope.indicators === null) {
    throw invalidInput('SCOPE_NO_INDICATORS', "the scope file has no indicators: add an indicators: block naming the attacker's addresses, user agents or accounts");
  }
  const inputs = await describeInputs(files);
  const piecesOf = planPieces(inputs, options.pieceBytes ?? DEFAULT_PIECE_BYTES, splittable(options.reading.format));
  const pieceAt = new Map(piecesOf.flatMap((pieces, file) => pieces.map((piece, index) => [piece.id, { piece, file, index }] as const)));
  const statsOf = piecesOf.map((pieces) => new Array<PieceStats | null>(pieces.length).fill(null));
  const digests = inputs.map((input) => options.digests?.get(input.path) ?? null);

  const kept: Hit[] = [];
  const release = options.onHits ?? ((hits: Hit[]) => kept.push(...hits));
  const nameOf = (input: Input) => options.names?.get(input.path) ?? input.path;
  const numbering = inputs.map((input, file) => new LineNumbering(nameOf(input), piecesOf[file].length, release));

  // Hashing first, the biggest files first: each is one task, which takes longest.
  const hashing = inputs.flatMap((input, file) => (digests[file] === null ? [{ kind: 'hash' as const, file, path: input.path }] : []));
  hashing.sort((a, b) => inputs[b.file].bytes - inputs[a.file].bytes);
  const tasks = [...hashing, ...scheduleOrder(inputs, piecesOf).map((piece): ScanTask => ({ kind: 'scan', piece }))];

  const totalBytes = inputs.reduce((total, input, file) => total + input.bytes * (digests[file] === null ? 2 : 1), 0);
  const bytesOf = new Map<string, number>();
  let bytesDone = 0;
  const progress = (task: ScanTask, bytes: number) => {
    const key = task.kind === 'hash' ? `hash ${task.file}` : `scan ${task.piece.id}`;
    bytesDone += bytes - (bytesOf.get(key) ?? 0);
    bytesOf.set(key, bytes);
    options.onProgress?.(bytesDone, totalBytes);
  };

  const setup: ScanSetup = { scope, reading: options.reading, clientAddress: options.clientAddress ?? { from: 'peer' }, mode: options.mode };
  await runTasks(setup, tasks, options.parallelism ?? availableParallelism(), (message: FromScanWorker) => {
    options.signal?.throwIfAborted();
    if (message.kind === 'hits') {
      const { file, index } = pieceAt.get(message.piece)!;
      numbering[file].add(index, message.batch);
    } else if (message.kind === 'progress') {
      progress(message.task, message.bytes);
    } else if (message.kind === 'scanned') {
      const { piece, file, index } = pieceAt.get(message.piece)!;
      statsOf[file][index] = message.stats;
      numbering[file].finish(index, message.stats.lines);
      progress({ kind: 'scan', piece }, inputs[file].gzip ? inputs[file].bytes : piece.end - piece.start);
    } else {
      const { path, bytes } = inputs[message.file];
      // A file that cannot be hashed cannot be evidence: that fails the scan.
      if (message.sha256 === null) throw invalidInput('LOG_UNREADABLE', `cannot hash the log ${path} (${message.error})`);
      digests[message.file] = message.sha256;
      progress({ kind: 'hash', file: message.file, path }, bytes);
    }
  }, options.ready);

  const order = new Map(inputs.map((input, index) => [nameOf(input), index]));
  kept.sort((a, b) => order.get(a.file)! - order.get(b.file)! || a.line - b.line);
  return {
    hits: kept,
    files: inputs.map((input, file) => fileStats({ ...input, path: nameOf(input) }, statsOf[file] as PieceStats[], digests[file]!)),
  };
}

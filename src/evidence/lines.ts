/**
 * Streams the lines of a log file, plain or gzip (told by its magic bytes, not its name), as
 * batches of offsets into a reused buffer: no string and no Buffer object per line.
 *
 * Lines end at `\n` (a `\r` before it is dropped); a last line without one is a line too.
 * Bytes are passed through as they are, binary garbage included. A line longer than
 * `maxLineBytes` (1 MiB unless set) is reported and skipped, never held whole, so memory
 * stays bounded whatever the input. A read error (a truncated or corrupt .gz) ends the
 * stream after every line read before it, the cut one included, with the error in the
 * final event.
 *
 * A plain file can be split into byte ranges read in parallel (byteRanges). A line belongs
 * to the range holding its first byte, so ranges meeting at any offsets yield every line
 * exactly once. Line numbers count from 1 at the start of each range: to number lines in the
 * whole file, keep findings with their range and relative number, then add the line totals
 * of the preceding ranges (each range's `end` event carries its total) once all are read.
 * That needs no extra pass over the file.
 */
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { constants, createGunzip } from 'node:zlib';

export type LineBatch = {
  type: 'lines';
  /** Reused: valid only until the iteration continues. Copy what you keep. */
  buf: Buffer;
  /** Line k is `buf[starts[k], ends[k])`, without its line break; k < count. */
  starts: Int32Array;
  ends: Int32Array;
  count: number;
  /** The number of line 0 of this batch, counted from 1 at the start of the range. */
  firstLine: number;
  /** How far into the file as stored (compressed, for gzip) reading has got: for progress. */
  readTo: number;
};
/** A line skipped for its length (in bytes, line break excluded). */
export type TooLongLine = { type: 'too-long'; line: number; bytes: number };
/** The last event: how many lines the range held (skipped ones included), and why reading stopped early, if it did. */
export type LinesEnd = { type: 'end'; lines: number; error: string | null };
export type LineEvent = LineBatch | TooLongLine | LinesEnd;

export type ReadLinesOptions = {
  /** Byte range of a plain file: the lines whose first byte lies in `[start, end)`. */
  start?: number;
  end?: number;
  maxLineBytes?: number;
  /** How much is read at a time; a batch holds the lines of about this many bytes. */
  chunkBytes?: number;
  /**
   * Read a plain file with blocking calls, saving a hop to the I/O thread pool per chunk: for a
   * worker thread that has nothing else to do meanwhile, never for the main thread.
   */
  blocking?: boolean;
};

const MiB = 1 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Byte ranges splitting a file of `size` bytes into `parts` for parallel readers. */
export function byteRanges(size: number, parts: number): { start: number; end: number }[] {
  return Array.from({ length: parts }, (_, k) => ({
    start: Math.floor((size * k) / parts),
    end: Math.floor((size * (k + 1)) / parts),
  }));
}

type ByteSource = {
  /** Reads at most `length` bytes into `into` at `offset`; 0 at the end of the data. */
  read(into: Buffer, offset: number, length: number): Promise<number>;
  /** The offset in the file as stored up to which it has been read. */
  readTo(): number;
  close(): Promise<void>;
};

function plainSource(file: FileHandle, position: number, blocking: boolean): ByteSource {
  return {
    async read(into, offset, length) {
      const bytesRead = blocking ? readSync(file.fd, into, offset, length, position) : (await file.read(into, offset, length, position)).bytesRead;
      position += bytesRead;
      return bytesRead;
    },
    readTo: () => position,
    close: () => file.close(),
  };
}

/** The part of node:zlib's native handle that its own synchronous functions (gunzipSync) drive. */
type ZlibHandle = {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
};

/** Compressed bytes read at a time: a log inflates to about ten times as much, more than a chunk. */
const COMPRESSED_CHUNK = 128 * 1024;

/**
 * Inflates straight into the reader's buffer, on the calling thread: no stream, no Buffer per
 * chunk and no copy. node:zlib has no public call that inflates into a given buffer, so this
 * drives the handle of a Gunzip as zlib.gunzipSync does (Node's version is pinned; the tests
 * cover members, padding, truncation and corruption): measured on 1 GB of log, 0.8 s of CPU
 * where the stream took 1.8 s. Concatenated members are read on; zero padding after the last is
 * ignored; any other bytes after it fail as corrupt data, as they did through the stream.
 */
function gzipSource(file: FileHandle, blocking: boolean): ByteSource {
  const gunzip = createGunzip();
  // An error is delivered by destroying the stream: it is read from `errored` after each step.
  gunzip.on('error', () => {});
  const { _handle: handle, _writeState: left } = gunzip as unknown as { _handle: ZlibHandle; _writeState: Uint32Array };
  const input = Buffer.allocUnsafe(COMPRESSED_CHUNK);
  let position = 0;
  let inputAt = 0;
  let inputLeft = 0;
  let finishing = false;
  return {
    async read(into, offset, length) {
      for (;;) {
        if (inputLeft === 0 && !finishing) {
          const bytesRead = blocking ? readSync(file.fd, input, 0, input.length, position) : (await file.read(input, 0, input.length, position)).bytesRead;
          position += bytesRead;
          inputAt = 0;
          inputLeft = bytesRead;
          // The end of the file: inflate what zlib holds back, which fails on a cut stream.
          finishing = bytesRead === 0;
        }
        handle.writeSync(finishing ? constants.Z_FINISH : constants.Z_NO_FLUSH, input, inputAt, inputLeft, into, offset, length);
        // A failed step reports nothing of what it inflated (zlib's stream drops it too): the lines before it are all read.
        if (gunzip.errored) throw gunzip.errored;
        const produced = length - left[0];
        const consumed = inputLeft - left[1];
        inputAt += consumed;
        inputLeft = left[1];
        if (produced > 0) return produced;
        // Nothing taken or given: the stream has ended, before zero padding or at the end of the file.
        if (finishing || (consumed === 0 && inputLeft > 0)) return 0;
      }
    },
    readTo: () => position,
    async close() {
      gunzip.destroy();
      await file.close();
    },
  };
}

async function isGzip(file: FileHandle): Promise<boolean> {
  const magic = Buffer.alloc(2);
  const { bytesRead } = await file.read(magic, 0, 2, 0);
  return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
}

/** Whether the file at `path` is gzip-compressed (told by its magic bytes): such a file can only be read whole. */
export async function isGzipFile(path: string): Promise<boolean> {
  const file = await open(path);
  try {
    return await isGzip(file);
  } finally {
    await file.close();
  }
}

/** The offset of the first line starting at or after `start`, or -1 when none does. */
async function firstLineAtOrAfter(file: FileHandle, start: number): Promise<number> {
  if (start === 0) return 0;
  const probe = Buffer.allocUnsafe(64 * 1024);
  let position = start - 1;
  for (;;) {
    const { bytesRead } = await file.read(probe, 0, probe.length, position);
    if (bytesRead === 0) return -1;
    const newline = probe.subarray(0, bytesRead).indexOf(NEWLINE);
    if (newline >= 0) return position + newline + 1;
    position += bytesRead;
  }
}

function describeReadError(error: unknown, lines: number): string {
  const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'Z_BUF_ERROR') return `gzip stream truncated after line ${lines}`;
  if (code.startsWith('Z_')) return `gzip data corrupt after line ${lines}: ${message}`;
  return `read failed after line ${lines}: ${message}`;
}

/** Streams the lines of the file at `path`; see the module comment. */
export async function* readLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineEvent, void, undefined> {
  const { start = 0, end = Number.POSITIVE_INFINITY, maxLineBytes = MiB, chunkBytes = MiB, blocking = false } = options;
  if (!(chunkBytes >= 1 && maxLineBytes >= 1 && start >= 0)) {
    throw new RangeError('readLines: chunkBytes and maxLineBytes must be at least 1, start at least 0');
  }
  const file = await open(path);
  let source: ByteSource | null = null;
  try {
    const gzip = await isGzip(file);
    if (gzip && (start !== 0 || end !== Number.POSITIVE_INFINITY)) {
      throw new Error(`${path} is gzip-compressed: it can only be read whole, not by byte range`);
    }
    const begin = gzip ? 0 : await firstLineAtOrAfter(file, start);
    if (begin < 0 || begin >= end) {
      yield { type: 'end', lines: 0, error: null };
      return;
    }
    source = gzip ? gzipSource(file, blocking) : plainSource(file, begin, blocking);
    yield* splitLines(source, { limit: end - begin, maxLineBytes, chunkBytes });
  } finally {
    await (source ?? file).close();
  }
}

type SplitOptions = { limit: number; maxLineBytes: number; chunkBytes: number };

/** The lines found in the buffer so far: line k is `[starts[k], ends[k])`. */
type Found = { starts: Int32Array; ends: Int32Array; count: number };

function grow(found: Found): void {
  const starts = new Int32Array(found.starts.length * 2);
  const ends = new Int32Array(found.ends.length * 2);
  starts.set(found.starts);
  ends.set(found.ends);
  found.starts = starts;
  found.ends = ends;
}

/**
 * The common case of splitting, kept out of the generator so that its variables stay in
 * registers: records the lines from `lineStart` on that end within `buf[0, filled)`, start
 * before `stop` and are at most `maxLineBytes` long. Returns where the first other line
 * starts; the generator deals with that one.
 */
function takeLines(found: Found, buf: Buffer, lineStart: number, filled: number, stop: number, maxLineBytes: number): number {
  let { starts, ends, count } = found;
  let start = lineStart;
  while (start < stop) {
    const newline = buf.indexOf(NEWLINE, start);
    if (newline < 0 || newline >= filled) break;
    const end = newline > start && buf[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    if (end - start > maxLineBytes) break;
    if (count === starts.length) {
      found.count = count;
      grow(found);
      ({ starts, ends } = found);
    }
    starts[count] = start;
    ends[count] = end;
    count++;
    start = newline + 1;
  }
  found.count = count;
  return start;
}

/** The lines of `source` that start before `limit`, as events. */
async function* splitLines(source: ByteSource, options: SplitOptions): AsyncGenerator<LineEvent, void, undefined> {
  const { limit, maxLineBytes, chunkBytes } = options;
  // Room for one unfinished line of the maximum length and its \r, plus a chunk read behind it.
  const buf = Buffer.allocUnsafe(chunkBytes + maxLineBytes + 1);
  const found: Found = { starts: new Int32Array(4096), ends: new Int32Array(4096), count: 0 };
  let firstLine = 0;
  let filled = 0; // bytes held in buf
  let lineStart = 0; // where the unfinished line begins in buf
  let bufOffset = 0; // offset in the source of buf[0]
  let lines = 0; // lines finished, skipped ones included
  let skipping = -1; // bytes so far of a too-long line being skipped, else -1
  let readError: unknown = null;

  const batch = (): LineBatch => ({ type: 'lines', buf, starts: found.starts, ends: found.ends, count: found.count, firstLine, readTo: source.readTo() });
  const push = (contentEnd: number) => {
    if (found.count === found.starts.length) grow(found);
    if (found.count === 0) firstLine = lines + 1;
    found.starts[found.count] = lineStart;
    found.ends[found.count] = contentEnd;
    found.count++;
  };

  for (let atEnd = false; !atEnd; ) {
    buf.copyWithin(0, lineStart, filled);
    bufOffset += lineStart;
    filled -= lineStart;
    lineStart = 0;
    let read = 0;
    try {
      // The unfinished line before it is at most maxLineBytes + 1 long: a chunk always fits.
      read = await source.read(buf, filled, chunkBytes);
    } catch (error) {
      readError = error;
    }
    atEnd = read === 0;
    filled += read;
    const data = buf.subarray(0, filled);

    // A line being skipped began before the limit, wherever it ends.
    while (skipping >= 0 || bufOffset + lineStart < limit) {
      if (skipping < 0) {
        if (found.count === 0) firstLine = lines + 1;
        const before = found.count;
        lineStart = takeLines(found, buf, lineStart, filled, limit - bufOffset, maxLineBytes);
        lines += found.count - before;
        if (bufOffset + lineStart >= limit) break;
      }
      let lineEnd = data.indexOf(NEWLINE, lineStart);
      if (lineEnd < 0) {
        if (!atEnd || (lineStart === filled && skipping < 0)) break;
        lineEnd = filled;
      }
      const contentEnd = lineEnd > lineStart && buf[lineEnd - 1] === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
      const length = contentEnd - lineStart + Math.max(skipping, 0);
      if (length > maxLineBytes) {
        if (found.count > 0) yield batch();
        found.count = 0;
        yield { type: 'too-long', line: lines + 1, bytes: length };
        skipping = -1;
      } else {
        push(contentEnd);
      }
      lines++;
      lineStart = Math.min(lineEnd + 1, filled);
      if (lineEnd === filled) break;
    }
    if (skipping < 0 && bufOffset + lineStart >= limit) {
      atEnd = true;
    } else if (!atEnd && (skipping >= 0 || filled - lineStart > maxLineBytes + 1)) {
      // Skip all but the last byte, which may be the \r of the line break to come.
      skipping = Math.max(skipping, 0) + filled - 1 - lineStart;
      lineStart = filled - 1;
    }
    if (found.count > 0) yield batch();
    found.count = 0;
  }
  yield { type: 'end', lines, error: readError === null ? null : describeReadError(readError, lines) };
}

import { open } from 'node:fs/promises';
import { invalidInput } from '../lib/errors.ts';
import { CsvRowScanner, detectDelimiter, nextLineStart } from './csv-scanner.ts';
import { checkStorable, columnLabel, type ImportEvent, type RecordAssembler, type ValueAt } from './record-assembler.ts';
import { byteOrderMark, decoderFor, validatorFor, type Encoding } from './text-encoding.ts';

const MiB = 1 << 20;
const LF = 0x0a;
const NUL = 0x00;

/** How a CSV file is laid out, learned from its first bytes. */
export interface CsvLayout {
  header: string[];
  delimiter: number;
  encoding: Encoding;
  /** Byte offset and line number of the first row after the header. */
  bodyOffset: number;
  bodyLine: number;
}

/**
 * Reads the header row. Its delimiter is `delimiter` if given, else told from the header line;
 * a UTF-8 byte-order mark is skipped and makes the file UTF-8.
 */
export async function readCsvLayout(path: string, options: { delimiter: number | null; encoding: Encoding }): Promise<CsvLayout> {
  const file = await open(path);
  const buf = Buffer.alloc(MiB + 3);
  let read: number;
  try {
    ({ bytesRead: read } = await file.read(buf, 0, buf.length, 0));
  } finally {
    await file.close();
  }
  if (read === 0) throw invalidInput('IMPORT_EMPTY', `${path} is empty; export the orders again`);
  const bom = byteOrderMark(buf, path);
  const encoding = bom.encoding ?? options.encoding;
  const delimiter = options.delimiter ?? detectDelimiter(buf, bom.bytes, read);
  const scanner = new CsvRowScanner(delimiter);
  const atEnd = read < buf.length;
  if (scanner.scan(buf, bom.bytes, read, atEnd) !== 'row') {
    throw invalidInput('IMPORT_HEADER', `${path}: the header row opens a quote it never closes, or is longer than 1 MiB; is this a CSV file?`);
  }
  const validate = validatorFor(encoding);
  if (validate !== null && !validate(buf, bom.bytes, scanner.end)) {
    throw invalidInput('IMPORT_ENCODING', `${path}: the header is not valid UTF-8; if the file is Latin-1 (Windows-1252), add --encoding latin1`);
  }
  const valueAt = fieldReader(scanner, buf, encoding);
  return {
    header: Array.from({ length: scanner.fields }, (_, column) => valueAt(column)),
    delimiter,
    encoding,
    bodyOffset: scanner.end,
    bodyLine: 1 + scanner.lineBreaks,
  };
}

export interface CsvReadOptions {
  onProgress?: (bytesRead: number) => void;
  /** How much is read at a time (1 MiB unless set); events are yielded once per read. */
  chunkBytes?: number;
  /** A row longer than this (1 MiB unless set) is quarantined, never held whole: memory stays bounded. */
  maxRowBytes?: number;
}

/**
 * Streams the rows after the header through `assembler`, yielding its events once per read.
 * Bad rows — invalid UTF-8, a wrong number of columns, text after a closing quote, a quote
 * never closed, a row too long — are quarantined with the line they start on; after the last
 * two, reading resumes on the row's second line.
 */
export async function* csvEvents(
  path: string,
  layout: CsvLayout,
  assembler: RecordAssembler,
  options: CsvReadOptions = {},
): AsyncGenerator<ImportEvent[], void, undefined> {
  const { onProgress, chunkBytes = MiB, maxRowBytes = MiB } = options;
  const file = await open(path);
  try {
    const buf = Buffer.allocUnsafe(chunkBytes + maxRowBytes);
    const scanner = new CsvRowScanner(layout.delimiter);
    const valueAt = fieldReader(scanner, buf, layout.encoding);
    // Decoded CSV holds no unpaired surrogate, but may hold NUL: only rows with a NUL byte are checked.
    const checkedValueAt: ValueAt = (column) => checkStorable(valueAt(column));
    const validate = validatorFor(layout.encoding);
    const columns = layout.header.length;
    let position = layout.bodyOffset; // of the next read in the file
    let line = layout.bodyLine;
    let filled = 0;
    let pos = 0; // where the next row starts in buf
    let skippingLine = false; // discarding the rest of a line too long to hold
    // Goes on from the line after the one at `from`, which may end beyond the data held.
    const resumeOnNextLine = (from: number) => {
      const resume = nextLineStart(buf, from, filled);
      skippingLine = resume < 0;
      pos = skippingLine ? filled : resume;
      if (!skippingLine) line++;
    };
    for (let atEnd = false; !atEnd; ) {
      buf.copyWithin(0, pos, filled);
      filled -= pos;
      pos = 0;
      // At least chunkBytes of room: the row kept from the last round is at most maxRowBytes.
      const { bytesRead } = await file.read(buf, filled, buf.length - filled, position);
      position += bytesRead;
      filled += bytesRead;
      atEnd = bytesRead === 0;

      if (skippingLine) resumeOnNextLine(0);
      // Rows ending before validUpTo are known to be valid UTF-8: one check for the whole buffer.
      const lastLineEnd = atEnd ? filled : buf.subarray(0, filled).lastIndexOf(LF) + 1;
      const validUpTo = validate === null || validate(buf, pos, lastLineEnd) ? lastLineEnd : pos;
      let nextNul = nulFrom(buf, pos, filled); // at or after pos; filled when none is left

      while (pos < filled) {
        const status = scanner.scan(buf, pos, filled, atEnd);
        if (status === 'incomplete') break;
        if (status === 'unclosed') {
          const where = scanner.fields < columns ? ` in column ${columnLabel(layout.header[scanner.fields])}` : '';
          assembler.quarantine(line, `a quote opened${where} is never closed`);
          resumeOnNextLine(pos);
          continue;
        }
        if (scanner.isBlank()) {
          // An empty line, or one of delimiters only: no data to import or to lose.
        } else if (scanner.end - pos > maxRowBytes) {
          // Held whole only because it fell early in the buffer: refused as one that did not would be.
          assembler.quarantine(line, `the row is longer than ${sizeText(maxRowBytes)}`);
        } else if (validate !== null && scanner.end > validUpTo && !validate(buf, pos, scanner.end)) {
          assembler.quarantine(line, 'invalid UTF-8 bytes');
        } else {
          if (nextNul < pos) nextNul = nulFrom(buf, pos, filled);
          const cells = nextNul < scanner.end ? checkedValueAt : valueAt;
          // A broken row's cells are read as they fell, to keep its values hashed: the key, first, usually still is one.
          if (scanner.fields !== columns) assembler.quarantine(line, `${scanner.fields} columns where the header has ${columns}`, cells);
          else if (scanner.strayAfterQuote >= 0) assembler.quarantine(line, `text after the closing quote in column ${columnLabel(layout.header[scanner.strayAfterQuote])}`, cells);
          else assembler.addRow(line, cells);
        }
        line += scanner.lineBreaks;
        pos = scanner.end;
      }

      if (!atEnd && filled - pos > maxRowBytes) {
        assembler.quarantine(line, `the row is longer than ${sizeText(maxRowBytes)}; a quote may be left open`);
        resumeOnNextLine(pos);
      }
      onProgress?.(position);
      const events = atEnd ? assembler.finish() : assembler.take();
      if (events.length > 0) yield events;
    }
  } finally {
    await file.close();
  }
}

/**
 * Reads the fields of the scanner's last row out of `buf`, decoded and trimmed. Each is decoded
 * once per row: a mapping often reads one column twice (the email is the subject and a category).
 */
function fieldReader(scanner: CsvRowScanner, buf: Buffer, encoding: Encoding): ValueAt {
  const decode = decoderFor(encoding);
  const values: string[] = [];
  /** The scanner's row each of `values` was decoded from. */
  const rowOf: number[] = [];
  return (column) => {
    if (rowOf[column] === scanner.rows) return values[column];
    const start = scanner.starts[column];
    const end = scanner.ends[column];
    let value = '';
    if (column < scanner.fields && start !== end) {
      const text = decode(buf, start, end);
      value = (scanner.escaped[column] === 1 ? text.replaceAll('""', '"') : text).trim();
    }
    rowOf[column] = scanner.rows;
    values[column] = value;
    return value;
  };
}

/** Where the first NUL byte of `buf[from, to)` is, or `to`: one memchr for many rows. */
function nulFrom(buf: Buffer, from: number, to: number): number {
  const at = buf.subarray(from, to).indexOf(NUL);
  return at < 0 ? to : from + at;
}

const sizeText = (bytes: number) => (bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`);

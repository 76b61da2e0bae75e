import { TocsinError, invalidInput } from '../lib/errors.ts';
import { readLines } from '../evidence/index.ts';
import { checkStorable, UnstorableCell, type ImportEvent, type RecordAssembler } from './record-assembler.ts';
import { decoderFor, validatorFor, type Encoding } from './text-encoding.ts';

/**
 * NDJSON has no header: its columns are the keys of its first objects, in order of appearance,
 * and the keys of the objects they hold as `parent.child` (an API's order nests `billing.email`).
 */
const OBJECTS_SAMPLED = 1000;

type JsonObject = Record<string, unknown>;

export async function readNdjsonColumns(path: string, encoding: Encoding): Promise<string[]> {
  const parse = lineParser(encoding);
  const columns = new Set<string>();
  let objects = 0;
  sampling: for await (const event of readLines(path)) {
    if (event.type !== 'lines') continue;
    for (let k = 0; k < event.count; k++) {
      const parsed = parse(event.buf, event.starts[k], event.ends[k]);
      if (parsed === null || typeof parsed === 'string') continue;
      for (const [column, value] of Object.entries(parsed)) {
        columns.add(column);
        if (isObject(value)) for (const inner of Object.keys(value)) columns.add(`${column}.${inner}`);
      }
      if (++objects === OBJECTS_SAMPLED) break sampling;
    }
  }
  if (columns.size === 0) throw invalidInput('IMPORT_HEADER', `${path} holds no JSON object; is it NDJSON, one object per line?`);
  return [...columns];
}

/**
 * Streams the objects of an NDJSON file through `assembler`, a batch of lines at a time. Lines
 * that are not a JSON object, or not valid UTF-8, are quarantined; blank lines are skipped.
 */
export async function* ndjsonEvents(
  path: string,
  header: readonly string[],
  encoding: Encoding,
  assembler: RecordAssembler,
  onProgress?: (bytesRead: number) => void,
): AsyncGenerator<ImportEvent[], void, undefined> {
  const parse = lineParser(encoding);
  let object: JsonObject = {};
  // A key of the object wins over a nested field of the same name: it is what the file says.
  const dots = header.map((name) => name.indexOf('.'));
  const valueAt = (column: number) => {
    const name = header[column];
    if (Object.hasOwn(object, name)) return text(object[name]);
    const dot = dots[column];
    if (dot < 0) return '';
    const parent = object[name.slice(0, dot)];
    const child = name.slice(dot + 1);
    return isObject(parent) && Object.hasOwn(parent, child) ? text(parent[child]) : '';
  };
  for await (const event of readLines(path)) {
    if (event.type === 'too-long') {
      assembler.quarantine(event.line, 'the line is longer than 1 MiB');
    } else if (event.type === 'end') {
      if (event.error !== null) throw new TocsinError('IMPORT_READ', `${path}: ${event.error}; nothing after that was read`, { kind: 'unavailable' });
    } else {
      for (let k = 0; k < event.count; k++) {
        const parsed = parse(event.buf, event.starts[k], event.ends[k]);
        if (typeof parsed === 'string') {
          assembler.quarantine(event.firstLine + k, parsed);
        } else if (parsed !== null) {
          object = parsed;
          assembler.addRow(event.firstLine + k, valueAt);
        }
      }
      onProgress?.(event.readTo);
      const events = assembler.take();
      if (events.length > 0) yield events;
    }
  }
  const events = assembler.finish();
  if (events.length > 0) yield events;
}

/** A line's object, null for a blank line, or why the line is bad. */
function lineParser(encoding: Encoding): (buf: Buffer, start: number, end: number) => JsonObject | string | null {
  const decode = decoderFor(encoding);
  const validate = validatorFor(encoding);
  return (buf, start, end) => {
    if (validate !== null && !validate(buf, start, end)) return 'invalid UTF-8 bytes';
    const line = decode(buf, start, end).replace(/^\uFEFF/, ''); // a byte-order mark before the first object
    if (line.trim() === '') return null;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return 'invalid JSON'; // the parser's message quotes the line, which holds personal data
    }
    return isObject(value) ? value : 'the line is not a JSON object';
  };
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Deeper than any export nests its line items, and far from where JSON.stringify runs out of stack.
const MAX_DEPTH = 64;

/**
 * A JSON value as a column value: nested objects and arrays stay JSON, whose escapes keep any
 * character storable; a string is checked, since JSON's \u escapes can spell NUL and unpaired
 * surrogates.
 */
function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return checkStorable(value.trim());
  if (typeof value !== 'object') return String(value);
  if (nestsDeeper(value, MAX_DEPTH)) throw new UnstorableCell(`nests deeper than ${MAX_DEPTH} levels`);
  return JSON.stringify(value);
}

/** Whether `value` holds objects or arrays more than `levels` deep; recurses `levels` deep at most. */
function nestsDeeper(value: object, levels: number): boolean {
  if (levels === 0) return true;
  for (const inner of Object.values(value)) {
    if (inner !== null && typeof inner === 'object' && nestsDeeper(inner, levels - 1)) return true;
  }
  return false;
}

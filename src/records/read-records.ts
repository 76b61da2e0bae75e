import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { reasonOf, invalidInput } from '../lib/errors.ts';
import { csvEvents, readCsvLayout } from './csv-reader.ts';
import { resolveMapping, type ColumnMapping, type MappingOptions } from './mapping.ts';
import { ndjsonEvents, readNdjsonColumns } from './ndjson-reader.ts';
import { planColumns, RecordAssembler, type ImportEvent } from './record-assembler.ts';
import { parseEncoding } from './text-encoding.ts';

export type { ImportEvent, ImportedRecord } from './record-assembler.ts';

export type RecordFormat = 'csv' | 'ndjson';

export interface ReadRecordsOptions extends MappingOptions {
  /** Told from the extension when absent: `.ndjson` and `.jsonl` are NDJSON, anything else CSV. */
  format?: string;
  /** `utf-8` (the default) or `latin1`, read as Windows-1252. */
  encoding?: string;
  /** One character, `tab` or `\t` for a tab; told from the header line when absent. */
  delimiter?: string;
  /** Called as the file is read, about once per mebibyte. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface RecordSource {
  format: RecordFormat;
  header: string[];
  mapping: ColumnMapping;
  /** The file's events in batches of about a mebibyte of input: the fast way to consume it. */
  batches: AsyncIterable<ImportEvent[]>;
  /** The same events one at a time. Iterate either, once. */
  events: AsyncIterable<ImportEvent>;
}

/**
 * Opens a shop export: reads its header, settles the column mapping (usage errors for anything
 * the user must fix first), and returns the header, the mapping and the stream of records and
 * quarantined rows. Reading is streamed, memory bounded whatever the file size; the file is
 * opened again when the events are iterated, and closed when they end or iteration stops.
 */
export async function readRecords(path: string, options: ReadRecordsOptions = {}): Promise<RecordSource> {
  const format = recordFormat(path, options.format);
  const encoding = parseEncoding(options.encoding ?? 'utf-8');
  const delimiter = options.delimiter === undefined ? null : delimiterByte(options.delimiter);
  if (format === 'ndjson' && delimiter !== null) throw invalidInput('IMPORT_DELIMITER', '--delimiter applies to CSV files only');
  const totalBytes = await fileSize(path);
  const onProgress = options.onProgress && ((bytesRead: number) => options.onProgress?.(Math.min(bytesRead, totalBytes), totalBytes));

  if (format === 'csv') {
    const layout = await readCsvLayout(path, { delimiter, encoding });
    const { mapping, assembler } = settle(options, layout.header);
    return source(format, layout.header, mapping, csvEvents(path, layout, assembler, { onProgress }));
  }
  const header = await readNdjsonColumns(path, encoding);
  const { mapping, assembler } = settle(options, header);
  return source(format, header, mapping, ndjsonEvents(path, header, encoding, assembler, onProgress));
}

function settle(options: MappingOptions, header: string[]) {
  const mapping = resolveMapping(options, header);
  return { mapping, assembler: new RecordAssembler(planColumns(mapping, header)) };
}

function source(format: RecordFormat, header: string[], mapping: ColumnMapping, batches: AsyncGenerator<ImportEvent[]>): RecordSource {
  return {
    format,
    header,
    mapping,
    batches,
    events: (async function* () {
      for await (const batch of batches) yield* batch;
    })(),
  };
}

function recordFormat(path: string, format: string | undefined): RecordFormat {
  if (format === undefined) return ['.ndjson', '.jsonl'].includes(extname(path).toLowerCase()) ? 'ndjson' : 'csv';
  if (format === 'csv' || format === 'ndjson') return format;
  throw invalidInput('IMPORT_FORMAT', `unknown format '${format}'; use csv or ndjson`);
}

/** The delimiter as the byte the scanner compares: ASCII, and neither a quote nor a line break. */
function delimiterByte(delimiter: string): number {
  const character = delimiter === 'tab' || delimiter === '\\t' ? '\t' : delimiter;
  const code = character.charCodeAt(0);
  if (character.length !== 1 || code > 0x7f || character === '"' || character === '\r' || character === '\n') {
    throw invalidInput('IMPORT_DELIMITER', `--delimiter '${delimiter}': use one ASCII character other than a quote, e.g. ',' ';' '|' or 'tab'`);
  }
  return code;
}

async function fileSize(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw invalidInput('IMPORT_FILE', `cannot read ${path} (${reasonOf(error)}); check the path`);
  }
  if (!info.isFile()) throw invalidInput('IMPORT_FILE', `${path} is not a regular file; export the records to a file and import that`);
  return info.size;
}

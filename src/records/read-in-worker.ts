import { Worker } from 'node:worker_threads';
import { TocsinError, type ErrorData } from '../lib/errors.ts';
import type { ColumnMapping } from './mapping.ts';
import type { ReadRecordsOptions } from './read-records.ts';
import type { QuarantineHashing, StoredBatch } from './store.ts';

export interface ReaderData {
  path: string;
  options: Omit<ReadRecordsOptions, 'onProgress'>;
  batchesAhead: number;
  hashing: QuarantineHashing;
}

export type FromReader =
  | { type: 'opened'; mapping: ColumnMapping }
  | { type: 'progress'; bytes: number; total: number }
  | { type: 'batch'; batch: StoredBatch }
  | { type: 'end' }
  | { type: 'failed'; error: ErrorData };

export type ToReader = { type: 'stored' };

// Batches (about a mebibyte of input each) read ahead of the writer: both cores busy, memory bounded.
const BATCHES_AHEAD = 4;

/**
 * Reads an export in a worker thread, so that parsing it and writing it to the database run on
 * two cores at once; yields the mapping, then batches of table rows. Mapping errors arrive as
 * the same TocsinErrors readRecords throws.
 */
export async function readForImport(path: string, options: ReadRecordsOptions, hashing: QuarantineHashing): Promise<{ mapping: ColumnMapping; batches: AsyncIterable<StoredBatch> }> {
  const { onProgress, ...cloneable } = options;
  const workerData: ReaderData = { path, options: cloneable, batchesAhead: BATCHES_AHEAD, hashing };
  const worker = new Worker(new URL('./read-worker.ts', import.meta.url), { workerData });
  const queue: FromReader[] = [];
  let waiting: ((message: FromReader) => void) | null = null;
  let crashed: unknown = null;
  const deliver = (message: FromReader) => {
    if (message.type === 'progress') return onProgress?.(message.bytes, message.total);
    if (!waiting) return void queue.push(message);
    const resolve = waiting;
    waiting = null;
    resolve(message);
  };
  worker.on('message', deliver);
  worker.on('error', (error) => {
    crashed = error;
    deliver({ type: 'end' });
  });
  const next = async () => {
    const message = queue.shift() ?? (await new Promise<FromReader>((resolve) => (waiting = resolve)));
    if (crashed) throw crashed;
    if (message.type === 'failed') throw TocsinError.fromData(message.error);
    return message;
  };

  const opened = await next().catch(async (error) => {
    await worker.terminate();
    throw error;
  });
  if (opened.type !== 'opened') throw new Error(`record reader sent '${opened.type}' before opening the file`);
  return {
    mapping: opened.mapping,
    batches: (async function* () {
      try {
        for (let message = await next(); message.type !== 'end'; message = await next()) {
          if (message.type !== 'batch') continue;
          yield message.batch;
          worker.postMessage({ type: 'stored' } satisfies ToReader);
        }
      } finally {
        await worker.terminate();
      }
    })(),
  };
}

import { parentPort, workerData } from 'node:worker_threads';
import { TocsinError } from '../lib/errors.ts';
import type { FromReader, ReaderData, ToReader } from './read-in-worker.ts';
import { readRecords } from './read-records.ts';
import { toStoredBatch } from './store.ts';

/** Reads an export in its own thread and hands the main thread table rows, a few batches ahead. */
const { path, options, batchesAhead, hashing } = workerData as ReaderData;
const port = parentPort!;
const post = (message: FromReader) => port.postMessage(message);

let credit = batchesAhead;
let wake: (() => void) | null = null;
port.on('message', (message: ToReader) => {
  if (message.type === 'stored') credit++;
  wake?.();
});
const waitForCredit = () => new Promise<void>((resolve) => (wake = resolve));

try {
  const source = await readRecords(path, { ...options, onProgress: (bytes, total) => post({ type: 'progress', bytes, total }) });
  post({ type: 'opened', mapping: source.mapping });
  const lookupColumns = source.mapping.keep.filter((column) => column !== source.mapping.key);
  for await (const events of source.batches) {
    while (credit === 0) await waitForCredit();
    credit--;
    post({ type: 'batch', batch: toStoredBatch(events, lookupColumns, hashing) });
  }
  post({ type: 'end' });
} catch (error) {
  if (!(error instanceof TocsinError)) throw error;
  post({ type: 'failed', error: error.toData() });
}
port.close();

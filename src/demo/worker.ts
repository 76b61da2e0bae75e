import { parentPort, workerData } from 'node:worker_threads';
import { runJob } from './jobs.ts';
import type { ToWorker } from './pool.ts';
import type { TrafficSetup } from './traffic.ts';

/** Thread entry: runs jobs one at a time and hands each result back without copying it. */
const port = parentPort;
if (!port) throw new Error('src/demo/worker.ts runs as a worker thread');
const setup = workerData as TrafficSetup;
/** Result buffers the main thread is done with, to write the next results into. */
const spares: ArrayBuffer[] = [];
port.on('message', (message: ToWorker) => {
  if (message.kind === 'spare') {
    spares.push(message.buffer);
    return;
  }
  const bytes = runJob(setup, message.job, spares.pop());
  port.postMessage(bytes, [bytes.buffer]);
});

/** The log scanner's worker threads: each takes the next task as soon as it has finished one. */
import { Worker } from 'node:worker_threads';
import type { ScanSetup } from './scan-piece.ts';
import type { FromScanWorker, ScanTask } from './scan-worker.ts';

/**
 * A scanner's objects die young (a parsed line, a hit batch): a small young generation holds
 * them as well as V8's default, which grew each worker by 100 MB and more on big logs
 * (`tocsin detect` on the 5 GB benchmark log: 650 MB peak before, 500 MB after, and faster).
 */
const YOUNG_GENERATION_MB = 12;

/**
 * Runs `tasks` in order on up to `threads` workers. `onMessage` hears every report; a handler
 * that throws, or a worker that fails, stops them all. Each task is handed out once `ready`
 * (if given) resolves: what consumes the reports can hold the workers back.
 */
export async function runTasks(
  setup: ScanSetup,
  tasks: readonly ScanTask[],
  threads: number,
  onMessage: (message: FromScanWorker) => void,
  ready?: () => Promise<void>,
): Promise<void> {
  const queue = [...tasks];
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.min(threads, tasks.length) }, () => {
        const worker = new Worker(new URL('./scan-worker.ts', import.meta.url), { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          const next = async () => {
            await ready?.();
            const task = queue.shift();
            if (task) worker.postMessage(task);
            else resolve();
          };
          worker.on('message', (message: FromScanWorker) => {
            try {
              onMessage(message);
              if (message.kind === 'scanned' || message.kind === 'hashed') next().catch(reject);
            } catch (error) {
              reject(error);
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => reject(new Error(`a log scanner thread stopped with code ${code}`)));
          next().catch(reject);
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

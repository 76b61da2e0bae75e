import { Worker } from 'node:worker_threads';
import type { Job } from './jobs.ts';

/** What the main thread sends a worker: a job, or a result buffer to reuse. */
export type ToWorker = { kind: 'job'; job: Job } | { kind: 'spare'; buffer: ArrayBuffer };

interface Pending {
  resolve: (bytes: Uint8Array<ArrayBuffer>) => void;
  reject: (error: unknown) => void;
}

interface Thread {
  worker: Worker;
  pending: Pending[];
}

interface Result {
  bytes: Uint8Array<ArrayBuffer>;
  thread: Thread;
}

/** Worker threads that each run one job at a time, in the order given. */
class WorkerPool {
  readonly #threads: Thread[];

  constructor(script: URL, workerData: unknown, threads: number) {
    this.#threads = Array.from({ length: threads }, () => {
      const thread: Thread = { worker: new Worker(script, { workerData }), pending: [] };
      thread.worker.on('message', (bytes: Uint8Array<ArrayBuffer>) => thread.pending.shift()?.resolve(bytes));
      const fail = (error: unknown) => {
        for (const pending of thread.pending.splice(0)) pending.reject(error);
      };
      thread.worker.on('error', fail);
      thread.worker.on('exit', (code) => fail(new Error(`demo worker exited with code ${code}`)));
      return thread;
    });
  }

  run(job: Job): Promise<Result> {
    const thread = this.#threads.reduce((least, candidate) => (candidate.pending.length < least.pending.length ? candidate : least));
    return new Promise((resolve, reject) => {
      thread.pending.push({ resolve: (bytes) => resolve({ bytes, thread }), reject });
      thread.worker.postMessage({ kind: 'job', job } satisfies ToWorker);
    });
  }

  /** Hands a result's buffer back to the thread that wrote it, to write another result into. */
  recycle({ bytes, thread }: Result): void {
    thread.worker.postMessage({ kind: 'spare', buffer: bytes.buffer } satisfies ToWorker, [bytes.buffer]);
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map(({ worker }) => worker.terminate()));
  }
}

export interface PoolOptions {
  script: URL;
  workerData: unknown;
  threads: number;
  /** Jobs started ahead of the one being consumed: bounds the memory held by finished results. */
  window: number;
}

/**
 * Runs the jobs on worker threads and hands their results to `consume` one by one in job order,
 * whichever thread finishes first: the output does not depend on scheduling. When `consume`
 * resolves it must be done with the bytes: their buffer goes back to a worker for reuse.
 */
export async function runInOrder(
  jobs: readonly Job[],
  options: PoolOptions,
  consume: (bytes: Uint8Array, index: number) => Promise<void>,
): Promise<void> {
  const pool = new WorkerPool(options.script, options.workerData, options.threads);
  const results = new Map<number, Promise<Result>>();
  const start = (index: number) => {
    if (index >= jobs.length) return;
    const result = pool.run(jobs[index]);
    // Awaited in turn below; a failure before its turn must not count as unhandled.
    result.catch(() => {});
    results.set(index, result);
  };
  try {
    for (let index = 0; index < options.window; index++) start(index);
    for (let index = 0; index < jobs.length; index++) {
      const result = await results.get(index)!;
      results.delete(index);
      start(index + options.window);
      await consume(result.bytes, index);
      pool.recycle(result);
    }
  } finally {
    await pool.close();
  }
}

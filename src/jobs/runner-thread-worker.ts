// The thread behind startJobRunnerThread: a context of its own (its own SQLite connection) and a job runner on it.
import { parentPort, workerData } from 'node:worker_threads';
import { openContext } from '../context.ts';
import { TocsinError } from '../lib/errors.ts';
import { startJobRunner } from './runner.ts';
import type { FromRunnerThread, RunnerThreadData } from './runner-thread.ts';

const { config, options } = workerData as RunnerThreadData;
const port = parentPort!;
const send = (message: FromRunnerThread) => port.postMessage(message);

try {
  const ctx = await openContext({ config });
  const runner = startJobRunner(ctx, options);
  port.once('message', async () => {
    await runner.stop();
    await ctx.close();
    send({ type: 'stopped' });
    port.close();
  });
  send({ type: 'started', worker: runner.worker });
} catch (error) {
  const known = error instanceof TocsinError ? error : new TocsinError('JOB_RUNNER_FAILED', `the job runner could not start: ${error instanceof Error ? error.message : String(error)}`, { kind: 'unavailable' });
  send({ type: 'failed', error: known.toData() });
  port.close();
}

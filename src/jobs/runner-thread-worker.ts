// The thread behind startJobRunnerThread: a context of its own (its own SQLite connection) and a job runner on it.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openContext } from '../context.ts';
import { TocsinError } from '../lib/errors.ts';
import { startJobRunner } from './runner.ts';
import type { FromRunnerThread, RunnerThreadData } from './runner-thread.ts';

const { config, options, niceness } = workerData as RunnerThreadData;
const port = parentPort!;
const send = (message: FromRunnerThread) => port.postMessage(message);

try {
  if (niceness !== undefined) lowerThreadPriority(niceness);
  const ctx = await openContext({ config });
  const runner = startJobRunner(ctx, options);
  // Asked to stop, or idle for long enough: whichever comes first ends the thread.
  let ending = false;
  const end = async (message: FromRunnerThread) => {
    if (ending) return;
    ending = true;
    await runner.stop();
    await ctx.close();
    send(message);
    port.close();
  };
  port.once('message', () => end({ type: 'stopped' }));
  void runner.idle.then(() => end({ type: 'idle' }));
  send({ type: 'started' });
} catch (error) {
  const known = error instanceof TocsinError ? error : new TocsinError('JOB_RUNNER_FAILED', `the job runner could not start: ${error instanceof Error ? error.message : String(error)}`, { kind: 'unavailable' });
  send({ type: 'failed', error: known.toData() });
  port.close();
}

/**
 * Linux schedules each thread by its own niceness: this thread's is raised so that the server's
 * requests go first when both want the CPU. Elsewhere (no /proc/thread-self) it runs as the rest.
 */
function lowerThreadPriority(value: number): void {
  let thread: number;
  try {
    thread = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return;
  }
  setPriority(thread, value);
}

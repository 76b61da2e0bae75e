import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import * as accounts from '../accounts/index.ts';
import { keepBountyRunning, keepSecurityTxtSigned } from '../bounty/index.ts';
import { openContext, type Context } from '../context.ts';
import { leaveCheckpointsElsewhere } from '../db/index.ts';
import { JOB_KINDS, startJobRunnerThread } from '../jobs/index.ts';
import { configFromFirstProcess, isServingProcess, leaveFirstProcess, reportListening, startHttpListeners, startListeners, startMailboxPolling, type Listeners } from '../server/index.ts';
import { exitWith, say } from './io.ts';
import { withContext, withServerFlags } from './options.ts';

/** What a serving process runs (tocsin serve --processes): this program's `serve`, which sees it was forked. */
const SERVING_COMMAND = { exec: fileURLToPath(new URL('../../bin/tocsin.js', import.meta.url)), args: ['serve'] };

/** The portal's answers the server's runner works on at once (each mostly waits on the mail server), claimed and run together. */
const ANSWERS_AT_ONCE = 16;
/** The answers' thread's niceness on Linux: requests first while a rush lasts. */
const ANSWERS_NICENESS = 10;

export function serveCommand(): Command {
  return withServerFlags(
    new Command('serve').description('run the server: the staff console and API on --listen (internal network), the customer portal and researchers on --public-listen (internet)'),
  ).action(async (_options, cmd: Command) => {
    if (isServingProcess()) return serveForFirstProcess();
    await withContext(cmd, (ctx) => serveUntilStopped(ctx));
  });
}

/**
 * Serves the context's data on both listeners and says where (`console: URL`, `public: URL`, and
 * `mailbox: smtp://…` with phishing.smtp.listen, on stderr), then `ready`; polls phishing.imap's mailbox when one is set; on SQLite runs the jobs too. Returns after SIGTERM or Ctrl-C, once the
 * requests and the jobs' steps in flight are finished.
 */
export async function serveUntilStopped(ctx: Context, ready?: (listeners: Listeners) => void): Promise<void> {
  // Should a job runner thread die, or serving processes keep dying, the server stops too (exit 1), so that its supervisor restarts it.
  const failed = (what: string) => () => {
    say(`tocsin: ${what}; the server stops (exit 1) so that it can be restarted`);
    exitWith(1);
    process.kill(process.pid, 'SIGTERM');
  };
  // The IMAP mailbox's password is checked before anything listens.
  const polling = startMailboxPolling(ctx);
  const serving = { command: SERVING_COMMAND, say, failed: failed('a serving process cannot start again') };
  const listeners = await startListeners(ctx, accounts, serving).catch(async (error: unknown) => {
    await polling?.stop();
    throw error;
  });
  // SQLite: this process runs the jobs (in a thread while there are any); PostgreSQL: `tocsin worker` processes do, on any machine.
  const died = failed('the job runner stopped unexpectedly');
  // A second runner answers the portal's "Was I affected?", and only it, so that answers never wait behind a campaign or a scope run;
  // it takes them in batches, as a rush queues them, and yields the CPU to the requests of the rush (they are answered within minutes).
  const runners =
    ctx.dialect === 'sqlite'
      ? [
          startJobRunnerThread(ctx, died, { kinds: JOB_KINDS.filter((kind) => kind !== 'portal_answer') }),
          startJobRunnerThread(ctx, died, { kinds: ['portal_answer'], concurrency: ANSWERS_AT_ONCE }, ANSWERS_NICENESS),
        ]
      : [];
  // security.txt is signed anew before its Expires, whoever asks for it (tocsin worker processes do not serve it).
  const stopSigning = keepSecurityTxtSigned(ctx);
  // Reports left unanswered are closed and researchers' mails sent, by whichever servers run.
  const stopBounty = keepBountyRunning(ctx);
  say(`console: ${listeners.staffUrl}`);
  say(`public: ${listeners.publicUrl}`);
  if (listeners.mailboxUrl) say(`mailbox: ${listeners.mailboxUrl}`);
  ready?.(listeners);
  await stopRequested();
  // Running jobs stop at their next step and go back to the queue; then the listeners close.
  stopSigning();
  stopBounty();
  await Promise.all([...runners.map((runner) => runner.stop()), polling?.stop()]);
  await listeners.close();
}

/**
 * A serving process of tocsin serve --processes: serves both listeners with the first process's
 * configuration, and only that (the first runs the jobs, the mailbox, the timers and SQLite's checkpoints), until told
 * to stop or the first process is gone.
 */
async function serveForFirstProcess(): Promise<void> {
  const ctx = await openContext({ config: await configFromFirstProcess() });
  try {
    await leaveCheckpointsElsewhere(ctx);
    const listeners = await startHttpListeners(ctx, accounts);
    try {
      reportListening(listeners);
      await stopRequested();
    } finally {
      await listeners.close();
    }
  } finally {
    await ctx.close();
    leaveFirstProcess();
  }
}

/**
 * SIGTERM (systemd, docker stop) and Ctrl-C: stop taking requests, finish those in flight, exit
 * 0. A serving process waits for its first process's SIGTERM (Ctrl-C reaches both: had it
 * stopped first, it would be replaced), or stops when the first process is gone (its IPC channel closes).
 */
function stopRequested(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    if (isServingProcess()) {
      process.on('SIGINT', () => {});
      process.once('disconnect', stop);
    } else process.once('SIGINT', stop);
  });
}

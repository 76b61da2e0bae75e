import { Command } from 'commander';
import * as accounts from '../accounts/index.ts';
import { keepBountyRunning, keepSecurityTxtSigned } from '../bounty/index.ts';
import type { Context } from '../context.ts';
import { JOB_KINDS, startJobRunnerThread } from '../jobs/index.ts';
import { startListeners, startMailboxPolling, type Listeners } from '../server/index.ts';
import { say } from './io.ts';
import { withContext, withServerFlags } from './options.ts';

/** The portal's answers the server's runner works on at once (each mostly waits on the mail server), claimed together. */
const ANSWERS_AT_ONCE = 16;
/** The answers' thread's niceness on Linux: requests first while a rush lasts. */
const ANSWERS_NICENESS = 10;

export function serveCommand(): Command {
  return withServerFlags(
    new Command('serve').description('run the server: the staff console and API on --listen (internal network), the customer portal and researchers on --public-listen (internet)'),
  ).action(async (_options, cmd: Command) => {
    await withContext(cmd, (ctx) => serveUntilStopped(ctx));
  });
}

/**
 * Serves the context's data on both listeners and says where (`console: URL`, `public: URL`, and
 * `mailbox: smtp://…` with phishing.smtp.listen, on stderr), then `ready`; polls phishing.imap's mailbox when one is set; on SQLite runs the jobs too. Returns after SIGTERM or Ctrl-C, once the
 * requests and the jobs' steps in flight are finished.
 */
export async function serveUntilStopped(ctx: Context, ready?: (listeners: Listeners) => void): Promise<void> {
  // The IMAP mailbox's password is checked before anything listens.
  const polling = startMailboxPolling(ctx);
  const listeners = await startListeners(ctx, accounts).catch(async (error: unknown) => {
    await polling?.stop();
    throw error;
  });
  // SQLite: this process runs the jobs (in a thread); PostgreSQL: `tocsin worker` processes do, on any machine.
  // Should that thread die, the server stops too (exit 1), so that its supervisor restarts both.
  const died = () => {
    say('tocsin: the job runner stopped unexpectedly; the server stops (exit 1) so that it can be restarted');
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  };
  // A second runner answers the portal's "Was I affected?", and only it, so that answers never wait behind a campaign or a scope run;
  // it takes them in batches, as a rush queues them, and yields the CPU to the requests of the rush (they are answered within minutes).
  const runners =
    ctx.dialect === 'sqlite'
      ? [
          await startJobRunnerThread(ctx.config, ctx.logger, died, { kinds: JOB_KINDS.filter((kind) => kind !== 'portal_answer') }),
          await startJobRunnerThread(ctx.config, ctx.logger, died, { kinds: ['portal_answer'], concurrency: ANSWERS_AT_ONCE }, ANSWERS_NICENESS),
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
  // SIGTERM (systemd, docker stop) and Ctrl-C: stop taking requests and jobs, finish those in flight, exit 0.
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  // Running jobs stop at their next step and go back to the queue; then the listeners close.
  stopSigning();
  stopBounty();
  await Promise.all([...runners.map((runner) => runner.stop()), polling?.stop()]);
  await listeners.close();
}

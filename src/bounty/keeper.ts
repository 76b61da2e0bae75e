import type { Context } from '../context.ts';
import { publishDueDisclosures } from './disclosure.ts';
import { sendClaimReplies } from './mailed.ts';
import { sendBountyMails } from './mails.ts';
import { warnSlaTargets } from './sla.ts';
import { closeUnanswered } from './triage.ts';

const EVERY_MS = 60_000;

/**
 * The programme's timed work while a server runs: closes reports whose researcher did not answer
 * in time, warns the triage team of response targets about to be missed, publishes the
 * disclosures whose deadline passed, and sends the mails queued for researchers and the replies to reports sent by email. Runs now and every minute (each part
 * safe with several servers on one database); returns the function that stops it. Nothing runs
 * without a programme.
 */
export function keepBountyRunning(ctx: Context): () => void {
  let running = false;
  const controller = new AbortController();
  const round = async () => {
    if (ctx.config.bounty === undefined || running) return;
    running = true;
    try {
      await closeUnanswered(ctx);
      await warnSlaTargets(ctx, controller.signal);
      await publishDueDisclosures(ctx);
      if (ctx.config.public_url !== undefined) {
        await sendBountyMails(ctx, controller.signal);
        await sendClaimReplies(ctx, controller.signal);
      }
    } finally {
      running = false;
    }
  };
  const check = () =>
    void round().catch((error: unknown) => {
      if (!controller.signal.aborted) ctx.logger.warn({ code: (error as { code?: unknown }).code, type: (error as Error).name }, 'the bounty round failed; the next one tries again');
    });
  check();
  const timer = setInterval(check, EVERY_MS).unref();
  return () => {
    clearInterval(timer);
    controller.abort();
  };
}

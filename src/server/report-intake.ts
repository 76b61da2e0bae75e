import type { Context } from '../context.ts';
import { enqueueJob } from '../jobs/index.ts';
import { forBountyAddress, keepMailedReport } from '../bounty/index.ts';
import { countReportFrom, keepReport } from '../portal/index.ts';

/**
 * Keeps a reported message and queues its `phishing_analysis` job in one transaction, so that
 * every report kept is analysed and the sender never waits on the desk's DNS lookups: the
 * portal's upload and both reporting mailboxes take reports through here. `keep` writes with
 * the transaction (the report, and whatever must be written with it: a mailbox's cursor). A
 * report from the internet names its `client`, counted against portal.report_address first
 * (THROTTLED past it, nothing kept); the shop's own mailbox polled over IMAP names none.
 */
export async function keepAndAnalyse(ctx: Context, keep: (trx: Context) => Promise<{ reference: string }>, client?: string): Promise<{ reference: string }> {
  return ctx.db.transaction().execute(async (trx) => {
    if (client !== undefined) await countReportFrom({ ...ctx, db: trx }, client);
    const kept = await keep({ ...ctx, db: trx });
    await enqueueJob({ ...ctx, db: trx }, { kind: 'phishing_analysis', params: { reference: kept.reference } });
    return kept;
  });
}

/**
 * Keeps a message the reporting mailbox received (its SMTP listener, its polled IMAP mailbox): a
 * bug bounty report when it was sent to bounty.report_address, else a phishing report analysed by
 * its job. `recipients` are the SMTP envelope's, or a polled message's To, Cc and Delivered-To;
 * `keepAlso` writes in the report's transaction (the IMAP mailbox's cursor).
 */
export async function keepMailboxMessage(
  ctx: Context,
  message: Buffer,
  intake: { received_as: 'smtp' | 'imap'; recipients: readonly string[]; client?: string; envelopeSender?: string; keepAlso?: (trx: Context) => Promise<void> },
): Promise<{ reference: string }> {
  if (forBountyAddress(ctx.config, intake.recipients)) return keepMailedReport(ctx, message, intake);
  return keepAndAnalyse(
    ctx,
    async (trx) => {
      await intake.keepAlso?.(trx);
      return keepReport(trx, message, intake.received_as, null);
    },
    intake.client,
  );
}

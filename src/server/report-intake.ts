import type { Context } from '../context.ts';
import { enqueueJob } from '../jobs/index.ts';

/**
 * Keeps a reported message and queues its `phishing_analysis` job in one transaction, so that
 * every report kept is analysed and the sender never waits on the desk's DNS lookups: the
 * portal's upload and both reporting mailboxes take reports through here. `keep` writes with
 * the transaction (the report, and whatever must be written with it: a mailbox's cursor).
 */
export async function keepAndAnalyse(ctx: Context, keep: (trx: Context) => Promise<{ reference: string }>): Promise<{ reference: string }> {
  return ctx.db.transaction().execute(async (trx) => {
    const kept = await keep({ ...ctx, db: trx });
    await enqueueJob({ ...ctx, db: trx }, { kind: 'phishing_analysis', params: { reference: kept.reference } });
    return kept;
  });
}

/**
 * Staff's triage of a report: new until someone calls it phishing (confirmed), benign, one of
 * the shop's genuine messages or spam. Each change is in the security log with who made it; a
 * confirmed phish makes its campaign's verdict phishing.
 */
import { recordSecurityEvent } from '../accounts/index.ts';
import type { Context } from '../context.ts';
import type { TriageState } from '../domain/index.ts';
import { TocsinError } from '../lib/errors.ts';

export { TRIAGE_STATES, type TriageState } from '../domain/index.ts';

export async function triageReport(ctx: Context, reference: string, state: TriageState): Promise<{ id: string; triage: TriageState; previous: TriageState; triaged_at: string; triaged_by: string }> {
  const id = reference.trim().toUpperCase();
  const before = await ctx.db.selectFrom('phishing_reports').leftJoin('phishing_campaign_reports', 'phishing_campaign_reports.reference', 'phishing_reports.reference').select(['phishing_reports.triage', 'phishing_campaign_reports.campaign_id']).where('phishing_reports.reference', '=', id).executeTakeFirst();
  if (!before) throw new TocsinError('REPORT_NOT_FOUND', `no phishing report ${reference}`, { kind: 'not_found', next: { action: 'list_phishing_reports' } });
  const at = ctx.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    // Only from the state read above: the security log says what it changed from.
    const changed = await trx.updateTable('phishing_reports').set({ triage: state, triaged_at: at, triaged_by: ctx.actor }).where('reference', '=', id).where('triage', '=', before.triage).executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) throw new TocsinError('TRIAGE_CHANGED', `someone triaged report ${id} at the same moment; look at it again and retry`, { kind: 'conflict' });
    if (state === 'phishing_confirmed' && before.campaign_id) await trx.updateTable('phishing_campaigns').set({ verdict: 'phishing' }).where('id', '=', before.campaign_id).execute();
    await recordSecurityEvent(trx, ctx, { event: 'phishing_report_triaged', details: { report: id, from: before.triage, to: state } });
  });
  return { id, triage: state, previous: before.triage as TriageState, triaged_at: at, triaged_by: ctx.actor };
}

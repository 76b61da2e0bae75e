import type { Context } from '../context.ts';
import { appendAudit, getIncident } from '../incidents/index.ts';
import { invalidInput } from '../lib/errors.ts';
import { parseInstant } from '../lib/time.ts';
import type { RuleBook } from './rules/load.ts';

/** An authority report the incident records as submitted. */
export interface SubmittedReport {
  jurisdiction: string;
  /** The authority's name as the rules give it: what a notice names. */
  authority: string;
  submitted_at: string;
}

/**
 * Records that the report to `jurisdiction`'s authority was submitted at `submittedAt`, in the
 * audit trail: from then on notices may say so. Recording it again corrects the instant.
 */
export async function recordReportSubmitted(ctx: Context, book: RuleBook, incidentId: string, jurisdiction: string, submittedAt: string): Promise<SubmittedReport> {
  const code = jurisdiction.trim().toUpperCase();
  const rules = book.jurisdictions.get(code);
  if (!rules) {
    throw invalidInput('UNKNOWN_JURISDICTION', `no rules for jurisdiction '${jurisdiction}'; the assessment lists the ones concerned (ISO codes like FR, GB, US-CA)`, {
      next: { action: 'assess', incident_id: incidentId },
    });
  }
  const at = parseInstant(submittedAt, 'submitted-at');
  const now = ctx.now().toISOString();
  if (at > now) throw invalidInput('BAD_SUBMITTED_AT', `submitted-at ${at} is in the future; record a report once it has been submitted`);
  const row = { incident_id: '', jurisdiction: code, submitted_at: at, recorded_at: now };
  await ctx.db.transaction().execute(async (trx) => {
    row.incident_id = (await getIncident({ db: trx }, incidentId)).id;
    await trx
      .insertInto('authority_submissions')
      .values(row)
      .onConflict((conflict) => conflict.columns(['incident_id', 'jurisdiction']).doUpdateSet({ submitted_at: at, recorded_at: now }))
      .execute();
    await appendAudit(trx, ctx, row.incident_id, { action: 'report.submitted', details: { jurisdiction: code, submitted_at: at } });
  });
  return { jurisdiction: code, authority: rules.authority.name, submitted_at: at };
}

/** The reports the incident records as submitted, by jurisdiction. */
export async function submittedReports(ctx: Pick<Context, 'db'>, book: RuleBook, incidentId: string): Promise<SubmittedReport[]> {
  const rows = await ctx.db.selectFrom('authority_submissions').selectAll().where('incident_id', '=', incidentId).orderBy('jurisdiction').execute();
  return rows.map((row) => ({ jurisdiction: row.jurisdiction, authority: book.rulesFor(row.jurisdiction).authority.name, submitted_at: row.submitted_at }));
}

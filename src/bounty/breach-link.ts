/**
 * The breach link: a report whose flaw let personal data be reached is a possible breach. A
 * triager confirms it ("personal data reachable"); Tocsin opens an incident with the report as
 * its evidence, or adds the report to an incident named, and the incident's awareness is that
 * confirmation, so the compliance clocks run from it. The report's own submission time is kept
 * beside it: what the shop was told, and when it knew.
 */
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Tables } from '../db/index.ts';
import { appendAudit, createIncident, getIncident } from '../incidents/index.ts';
import { TocsinError } from '../lib/errors.ts';
import type { ReportState } from './report-rules.ts';
import { noSuchReport, recordReportEvent, REPORT_REFERENCE } from './reports.ts';

/** Reports that cannot be the evidence of a breach: their flaw is another report's, or none. */
const NOT_EVIDENCE: Partial<Record<ReportState, string>> = {
  duplicate: 'it was closed as a duplicate: link its original instead',
  spam: 'it was closed as spam: triage it again first if it is not',
  not_applicable: 'it was closed as not applicable: triage it again first if personal data was reachable',
};

export interface BreachLinkView {
  report_reference: string;
  incident_id: string;
  /** True when the link opened the incident, false when it joined one. */
  created_incident: boolean;
  /** When the team confirmed personal data was reachable. */
  confirmed_at: string;
  confirmed_by: string;
  /** When the researcher submitted the report. */
  report_submitted_at: string;
}

/**
 * Marks a report "personal data reachable" (ctx.actor confirms it, now): opens an incident aware
 * from this moment with the report as its evidence, or, given `incident_id`, adds the report to
 * that incident, aware already (its clocks run from its own awareness). One transaction: the incident, its audit entry, the link and the report's own
 * audit entry are kept together or not at all. A report is linked to one incident, once.
 */
export async function linkBreach(ctx: Context, reference: string, given: { incident_id?: string } = {}): Promise<BreachLinkView & { incident_aware_at: string }> {
  if (!REPORT_REFERENCE.test(reference)) throw noSuchReport();
  const confirmedAt = ctx.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    // The first statement writes, so that two triagers confirming one report follow each other.
    const touched = await trx.updateTable('bounty_reports').set((eb) => ({ state: eb.ref('state') })).where('reference', '=', reference).executeTakeFirst();
    if (touched.numUpdatedRows === 0n) throw noSuchReport();
    const report = await trx.selectFrom('bounty_reports').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
    const linked = await breachLinkOf(trx, reference);
    if (linked) {
      throw new TocsinError('BREACH_ALREADY_LINKED', `report ${reference} is linked to incident ${linked.incident_id} already (confirmed at ${linked.confirmed_at}); its evidence is there`, { kind: 'conflict' });
    }
    const refusal = NOT_EVIDENCE[report.state as ReportState];
    if (refusal !== undefined) throw new TocsinError('BREACH_REPORT_CLOSED', `report ${reference} cannot be a breach's evidence: ${refusal}`, { kind: 'conflict' });

    const inTrx = { ...ctx, db: trx };
    let incident;
    if (given.incident_id === undefined) {
      incident = await createIncident(inTrx, { title: `Personal data reachable: ${report.title} (bug bounty report ${reference})`, discovered_at: report.submitted_at, aware_at: confirmedAt });
    } else {
      // Aware before (aware_at is never after now): its clocks run already, from then.
      incident = await getIncident(inTrx, given.incident_id);
    }
    const link = { report_reference: reference, incident_id: incident.id, confirmed_at: confirmedAt, confirmed_by: ctx.actor, report_submitted_at: report.submitted_at, created_incident: given.incident_id === undefined ? 1 : 0 };
    await trx.insertInto('bounty_breach_links').values(link).execute();
    await appendAudit(trx, ctx, incident.id, {
      action: 'bounty.report_linked',
      details: { report: reference, asset: report.asset, weakness: report.weakness, report_submitted_at: report.submitted_at, confirmed_at: confirmedAt, created_incident: link.created_incident === 1 },
    });
    await recordReportEvent(trx, ctx, { reference, actor: ctx.actor, event: 'breach_linked', details: { incident: incident.id, created_incident: link.created_incident === 1 } });
    return { ...viewOf(link), incident_aware_at: incident.aware_at };
  });
}

/** The report's breach link, or null when no one confirmed personal data was reachable through it. */
export async function breachLinkOf(db: Kysely<Tables>, reference: string): Promise<BreachLinkView | null> {
  const row = await db.selectFrom('bounty_breach_links').selectAll().where('report_reference', '=', reference).executeTakeFirst();
  return row ? viewOf(row) : null;
}

function viewOf(row: Tables['bounty_breach_links']): BreachLinkView {
  return {
    report_reference: row.report_reference,
    incident_id: row.incident_id,
    created_incident: row.created_incident === 1,
    confirmed_at: row.confirmed_at,
    confirmed_by: row.confirmed_by,
    report_submitted_at: row.report_submitted_at,
  };
}

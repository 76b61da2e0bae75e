import type { Kysely } from 'kysely';

/**
 * The bug bounty's promises kept measurably: the reward awarded for a report and when it was
 * paid, the warnings sent before a response target was missed, and the coordinated disclosure
 * of a report (who asked, who agreed, the team's redacted text, when it was published).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One award per report: changed until it is paid, then fixed.
  await db.schema
    .createTable('bounty_awards')
    .addColumn('report_reference', 'text', (c) => c.primaryKey().references('bounty_reports.reference'))
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('bonus', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('awarded_at', 'text', (c) => c.notNull())
    .addColumn('awarded_by', 'text', (c) => c.notNull())
    .addColumn('paid_at', 'text')
    .addColumn('paid_by', 'text')
    .execute();
  // A warning goes once per report and target; mailed_at stays empty until the triage team's mail was accepted.
  await db.schema
    .createTable('bounty_sla_warnings')
    .addColumn('report_reference', 'text', (c) => c.notNull().references('bounty_reports.reference'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('warned_at', 'text', (c) => c.notNull())
    .addColumn('mailed_at', 'text')
    .addPrimaryKeyConstraint('bounty_sla_warnings_pk', ['report_reference', 'target'])
    .execute();
  await db.schema
    .createTable('bounty_disclosures')
    .addColumn('report_reference', 'text', (c) => c.primaryKey().references('bounty_reports.reference'))
    /** `researcher` or `team`: who asked first. */
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('researcher_agreed_at', 'text')
    .addColumn('team_agreed_at', 'text')
    /** Published by then even if the other side has not agreed. */
    .addColumn('deadline_at', 'text', (c) => c.notNull())
    .addColumn('public_title', 'text')
    .addColumn('public_text', 'text')
    .addColumn('published_at', 'text')
    .execute();
  await db.schema.createIndex('bounty_disclosures_published').on('bounty_disclosures').columns(['published_at', 'deadline_at']).execute();
}

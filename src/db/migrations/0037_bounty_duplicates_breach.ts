import type { Kysely } from 'kysely';

/**
 * The bug bounty's duplicate candidates and its breach link.
 *
 * A report's keys (`bounty_report_keys`) are what it is compared by: the endpoints (URL paths)
 * its text names and the LSH band keys of its text (src/lib/minhash.ts). A new report looks its
 * own keys up to find the earlier reports it may duplicate, never scanning them. Reports
 * submitted before this migration have no keys: they are still found by asset and weakness.
 *
 * A report a triager confirmed as "personal data reachable" is linked to an incident
 * (`bounty_breach_links`, one incident per report): when the team confirmed it, who did, and
 * when the report itself was submitted, kept beside each other.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bounty_report_keys')
    .addColumn('report_reference', 'text', (c) => c.notNull().references('bounty_reports.reference'))
    /** `endpoint` (a normalised URL path, `/api/orders/:id`) or `text` (an LSH band key, `band.minima`). */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bounty_report_keys_pk', ['kind', 'value', 'report_reference'])
    .execute();
  await db.schema.createIndex('bounty_report_keys_report').on('bounty_report_keys').column('report_reference').execute();
  await db.schema.createIndex('bounty_reports_asset_weakness').on('bounty_reports').columns(['asset', 'weakness']).execute();

  await db.schema
    .createTable('bounty_breach_links')
    .addColumn('report_reference', 'text', (c) => c.primaryKey().references('bounty_reports.reference'))
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    /** When the team confirmed that personal data was reachable: the incident's awareness, unless it was aware earlier. */
    .addColumn('confirmed_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_by', 'text', (c) => c.notNull())
    /** When the researcher submitted the report, kept beside the confirmation. */
    .addColumn('report_submitted_at', 'text', (c) => c.notNull())
    /** 1: the link created the incident; 0: it joined one that existed. */
    .addColumn('created_incident', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bounty_breach_links_incident').on('bounty_breach_links').column('incident_id').execute();
}

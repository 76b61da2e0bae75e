import { sql, type Kysely } from 'kysely';

/**
 * The phishing desk's campaigns: reports clustered as one attacker's wave, assigned as each report
 * is analysed. A campaign's keys (its domains, URLs, attachment hashes and the LSH band keys of its
 * texts) each belong to one campaign, so a new report finds the campaigns it joins by looking its
 * own keys up; a report whose keys lead to several merges them into the oldest, and the others
 * stay as pointers (`merged_into`) so an id printed earlier still leads somewhere.
 *
 * Reports get a triage state set by staff. The bait builds remember the last purge and the
 * countries of the incident's people, so the desk tells a stale build and reads phone countries
 * without scanning the records; existing builds are dropped, to be rebuilt with them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phishing_campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('report_count', 'integer', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    /** The report that shows the campaign best: the highest score, the earliest of equals. */
    .addColumn('sample_reference', 'text', (c) => c.references('phishing_reports.reference').onDelete('set null'))
    .addColumn('sample_score', 'integer', (c) => c.notNull())
    .addColumn('merged_into', 'text')
    .execute();
  await db.schema.createIndex('phishing_campaigns_last_seen').on('phishing_campaigns').columns(['merged_into', 'last_seen']).execute();
  await db.schema
    .createTable('phishing_campaign_keys')
    /** `kind:value`: `domain:gadgetsh0p.de`, `url:https://…`, `attachment:<sha256>`, `text:<band>.<minima>`. */
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('phishing_campaigns.id').onDelete('cascade'))
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phishing_campaign_keys_campaign').on('phishing_campaign_keys').columns(['campaign_id', 'kind']).execute();
  await db.schema
    .createTable('phishing_campaign_reports')
    .addColumn('reference', 'text', (c) => c.primaryKey().references('phishing_reports.reference').onDelete('cascade'))
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('phishing_campaigns.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('phishing_campaign_reports_campaign').on('phishing_campaign_reports').column('campaign_id').execute();

  await db.schema.alterTable('phishing_reports').addColumn('triage', 'text', (c) => c.notNull().defaultTo('new')).execute();
  await db.schema.alterTable('phishing_reports').addColumn('triaged_at', 'text').execute();
  await db.schema.alterTable('phishing_reports').addColumn('triaged_by', 'text').execute();

  await sql`delete from phishing_bait_builds`.execute(db);
  await db.schema.alterTable('phishing_bait_builds').addColumn('last_purge', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('phishing_bait_builds').addColumn('countries', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}

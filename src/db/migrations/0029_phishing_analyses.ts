import type { Kysely } from 'kysely';

/**
 * The phishing desk's results: one analysis per reported message (its verdict, score and the
 * whole analysis as JSON, with when it was made), and the keyed hashes of the tokens of each
 * incident's affected people's values that a phish may quote as bait, built per incident and
 * rebuilt when the incident's records changed (a newer import, a purge). No value is kept in clear.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phishing_analyses')
    .addColumn('reference', 'text', (c) => c.primaryKey().references('phishing_reports.reference').onDelete('cascade'))
    .addColumn('analyzed_at', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('analysis', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('phishing_bait_builds')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
    .addColumn('built_at', 'text', (c) => c.notNull())
    /** The newest import the tokens include: a later one makes the build stale. */
    .addColumn('last_import', 'integer', (c) => c.notNull())
    /** How many records it was built from: fewer now (a purge) makes it stale too. */
    .addColumn('records', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('phishing_bait_tokens')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('phishing_bait_tokens_pk', ['hash', 'incident_id', 'field'])
    .execute();
  await db.schema.createIndex('phishing_bait_tokens_incident').on('phishing_bait_tokens').column('incident_id').execute();
}

import type { Kysely } from 'kysely';

/**
 * What notices may state of an incident, as recorded facts: its own story, per locale (a part
 * left null takes the templates' default), and the authority reports recorded as submitted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incident_narratives')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('what_happened', 'text')
    .addColumn('what_we_did', 'text')
    .addColumn('what_we_are_doing', 'text')
    .addColumn('what_you_can_do', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_narratives_pk', ['incident_id', 'locale'])
    .execute();
  await db.schema
    .createTable('authority_submissions')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('jurisdiction', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('authority_submissions_pk', ['incident_id', 'jurisdiction'])
    .execute();
}

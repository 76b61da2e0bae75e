import type { Kysely } from 'kysely';

/**
 * What a person wrote for a section of the authority reports that Tocsin cannot fill (the likely
 * consequences, the measures, the reasons for a delay), per incident, section and report language.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_sections')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('section', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_sections_pk', ['incident_id', 'section', 'locale'])
    .execute();
}

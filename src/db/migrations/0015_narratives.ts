import type { Kysely } from 'kysely';

/**
 * An incident's own story, per locale, in the four parts a notice tells: notices say what
 * happened to this shop, not a built-in example. A part left null takes the templates' default.
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
}

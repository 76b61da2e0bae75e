import type { Kysely } from 'kysely';

/** Where the controller is (it decides lead authority or every authority), and the reports filed. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('controller_country', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('eu_establishment', 'text').execute();
  await db.schema
    .createTable('authority_reports')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('jurisdiction', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('authority_reports_pk', ['incident_id', 'jurisdiction', 'phase', 'at'])
    .execute();
}

import { sql, type Kysely } from 'kysely';
import { personCountry } from '../person-country.ts';

/**
 * Each affected person's country on their row, and an index that pages by it: the API's country
 * filter walked every affected row in order and looked for a record in the country behind each
 * (seconds a page at a million people). Rows stored before get their country here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('affected').addColumn('country', 'text').execute();
  await sql`UPDATE affected SET country = ${personCountry(sql.ref('affected.incident_id'), sql.ref('affected.subject'))}`.execute(db);
  // With the exposed mask last, a page filtered by country and category is read from the index alone.
  await db.schema.createIndex('affected_country').on('affected').columns(['incident_id', 'run', 'country', 'subject', 'exposed']).execute();
}

import { sql, SqliteAdapter, type Kysely } from 'kysely';
import { affectedPersonJson } from '../affected-person-json.ts';

/**
 * Each affected person as the API's list sends them, on their row (see affected-person-json.ts):
 * rows stored before get theirs here. PostgreSQL's scope runs wrote the record keys with json_agg's
 * spaces (`["a", "b"]`); they are written compact, as JSON.stringify and SQLite write them, in the
 * same pass: each row is written once.
 * The empty default is only for the rows the column is added to: every run writes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('affected').addColumn('person_json', 'text', (column) => column.notNull().defaultTo('')).execute();
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`UPDATE affected SET person_json = ${affectedPersonJson('sqlite', 'affected')}`.execute(db);
    return;
  }
  const compactRecords = sql<string>`array_to_json(ARRAY(SELECT json_array_elements_text(affected.records::json)))::text`;
  await sql`UPDATE affected SET records = ${compactRecords}, person_json = ${affectedPersonJson('postgres', 'affected', compactRecords)}`.execute(db);
}

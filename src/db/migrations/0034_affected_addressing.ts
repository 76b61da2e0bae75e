import { sql, SqliteAdapter, type Kysely } from 'kysely';
import { personAddressing } from '../person-addressing.ts';

/**
 * How to address each affected person, on their row as the run found them (email, name, locale,
 * region; the country is there since 0021): a page of the API's list read each person's records
 * beside their row, most of a page's database time. Rows stored before get theirs here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['email', 'name', 'locale', 'region']) await db.schema.alterTable('affected').addColumn(column, 'text').execute();
  const dialect = db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
  const addressing = personAddressing(dialect, sql.ref('affected.incident_id'), sql.ref('affected.subject'));
  await sql`UPDATE affected SET email = ${addressing.email}, name = ${addressing.name}, locale = ${addressing.locale}, region = ${addressing.region}`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * The four-eyes rule: who built an incident's notice set, when, and who approved that build
 * (another account with the privacy role). A build replaces the row, so a rebuild clears the
 * approval. Notice sets built before this get a row with no builder
 * (unknown), unapproved.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notice_sets')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id'))
    .addColumn('built_by', 'text')
    .addColumn('built_at', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .execute();
  await sql`INSERT INTO notice_sets (incident_id, built_at) SELECT incident_id, MAX(updated_at) FROM notices GROUP BY incident_id`.execute(db);
}

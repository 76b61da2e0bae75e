import { sql, SqliteAdapter, type Kysely } from 'kysely';
import { CATEGORIES, categoryBit } from '../../domain/index.ts';

/**
 * Each record's held categories as a bitmask beside its fields, and in the subject index: a
 * scope run learns what an affected person's records hold from the index alone, instead of
 * reading and parsing every one of their records. Records imported before get theirs here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('records').addColumn('held', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const valueOf = (category: string) => (sqlite ? sql`json_extract(fields, ${`$.${category}`})` : sql`(fields::jsonb ->> ${sql.lit(category)})`);
  const mask = sql.join(
    CATEGORIES.map((category) => sql`(CASE WHEN coalesce(${valueOf(category)}, '') <> '' THEN ${sql.lit(categoryBit(category))} ELSE 0 END)`),
    sql` + `,
  );
  await sql`UPDATE records SET held = ${mask}`.execute(db);
  await db.schema.dropIndex('records_subject').execute();
  await db.schema.createIndex('records_subject').on('records').columns(['incident_id', 'subject', 'held']).execute();
}

import { sql, type Kysely } from 'kysely';
import { CATEGORIES, categoryBit } from '../../domain/index.ts';

/**
 * What a run exposed of each affected subject, and what their records hold that it did not,
 * become two category masks on the subject's `affected` row, replacing a row per subject and
 * category. Those rows were most of what a big scope run wrote (366k for 85k people) and a
 * third of its time, and nothing read their per-category times: the evidence keeps every
 * request. Runs stored before get their masks here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('affected').addColumn('exposed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('affected').addColumn('not_exposed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  const bit = sql.join(
    CATEGORIES.map((category) => sql`WHEN ${sql.lit(category)} THEN ${sql.lit(categoryBit(category))}`),
    sql` `,
  );
  // A subject has at most one row per category and run: the sum of their bits is the mask.
  const maskOf = (exposed: 0 | 1) => sql`COALESCE((
    SELECT SUM(CASE e.category ${bit} ELSE 0 END) FROM exposures e
    WHERE e.incident_id = affected.incident_id AND e.run = affected.run AND e.subject = affected.subject AND e.exposed = ${sql.lit(exposed)}), 0)`;
  await sql`UPDATE affected SET exposed = ${maskOf(1)}, not_exposed = ${maskOf(0)}`.execute(db);
  await db.schema.dropTable('exposures').execute();
}

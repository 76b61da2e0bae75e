import type { Kysely } from 'kysely';

/** The template variant each notice is written with; notices built before variants used the base templates. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notices').addColumn('variant', 'text', (c) => c.notNull().defaultTo('default')).execute();
}

import type { Kysely } from 'kysely';

/** The regulators that license the controller (`us-nydfs`): some duties fall only on their licensees. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('regulated_by', 'text').execute();
}

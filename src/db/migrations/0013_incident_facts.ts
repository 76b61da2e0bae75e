import type { Kysely } from 'kysely';

/**
 * Incident facts some legal rules turn on. Events clocks count from, once the responder records them:
 * when the breach was assessed (Singapore's 3 days to the PDPC), and when the initial report went to
 * each authority, as `CODE=instant` pairs (Brazil's 20-working-day complement, DORA's intermediate
 * report). And the controller's region (`DE-BY`): in Germany the Land names the competent authority.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('assessed_at', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('reported_at', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('controller_region', 'text').execute();
}

import type { Kysely } from 'kysely';

/**
 * Behind a load balancer a request's client address is resolved from X-Forwarded-For: the
 * evidence keeps the connecting peer's address beside it, as logged, so that every resolution
 * can be checked against the log line.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('exposure_evidence').addColumn('peer', 'text').execute();
}

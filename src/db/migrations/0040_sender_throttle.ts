import type { Kysely } from 'kysely';

/**
 * Each live sender's per-domain throttles (pace, limit, queue, last 4xx codes) as JSON, written
 * at its heartbeat for the Campaign page: state of the sender, gone with its row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('senders').addColumn('throttle', 'text').execute();
}

import type { Kysely } from 'kysely';

/** Stale throttle rows are found by the time of their last failure, not by reading every row (accounts/throttle-store.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('login_throttles_last_failure').on('login_throttles').column('last_failure_at').execute();
}

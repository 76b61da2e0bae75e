import { sql, type Kysely } from 'kysely';

/**
 * The throttle rows that restrict, found without reading every row that failed lately: by their
 * failures (then the time of the last), and the locked ones by their lock. A throttle book reads
 * those back four times a second (accounts/throttle-book.ts), and a rush of wrong codes leaves
 * a hundred thousand rows that failed once in the last few seconds.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('login_throttles_failing').on('login_throttles').columns(['failures', 'last_failure_at']).execute();
  await db.schema.createIndex('login_throttles_locked').on('login_throttles').column('locked_until').where(sql.ref('locked_until'), 'is not', null).execute();
}

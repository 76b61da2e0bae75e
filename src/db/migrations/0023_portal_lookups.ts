import type { Kysely } from 'kysely';

/**
 * The portal's "Was I affected?": what it needs to answer each address at most once a day and
 * to hold off a flood, and the answers' codes, which /verify recognises as it does notices'.
 * No table holds an address in clear: each is a keyed hash of the normalised address.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The last answer to each address (keyed hash): a second one within portal.lookup_answer_hours is not sent.
  await db.schema
    .createTable('portal_answered')
    .addColumn('address_hash', 'text', (c) => c.primaryKey())
    .addColumn('answered_at', 'text', (c) => c.notNull())
    /** The job that answers: taken over after a crash, it may send its own answer again (at least once). */
    .addColumn('job_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_answered_at').on('portal_answered').column('answered_at').execute();
  // Each answer sent, by its code's keyed hash with the address: what /verify looks up beside the notices.
  await db.schema
    .createTable('portal_answers')
    .addColumn('code_subject_hash', 'text', (c) => c.primaryKey())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .execute();
  // Requests counted per fixed window, per client address (an IPv6 /64) and in all.
  await db.schema
    .createTable('portal_lookup_counts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_lookup_counts_window').on('portal_lookup_counts').column('window_start').execute();
}

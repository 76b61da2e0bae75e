import type { Kysely } from 'kysely';

/**
 * Delivery: the processes sending a campaign, each holding a lease it renews, so that the
 * notices a dead sender left in `sending` can be taken over; and the indexes that claims
 * (the queue in build order) and bounces (by Message-ID) look notices up by.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('senders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('senders_incident').on('senders').column('incident_id').execute();
  await db.schema.createIndex('notices_queue').on('notices').columns(['incident_id', 'state', 'seq']).execute();
  await db.schema.createIndex('notices_message_id').on('notices').column('message_id').execute();
}

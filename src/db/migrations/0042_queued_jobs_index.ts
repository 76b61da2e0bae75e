import { sql, type Kysely } from 'kysely';

/**
 * The queued jobs in the order workers take them, kind by kind, and nothing else: a claim reads
 * the oldest of its kind straight off this index, however long a rush of the portal's lookups
 * made the queue, and however many finished jobs the table keeps (see claimJobs).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_queued').on('jobs').columns(['kind', 'created_at', 'id']).where(sql.ref('state'), '=', 'queued').execute();
}

import type { Kysely } from 'kysely';

/**
 * Jobs: long work (imports, scope runs, detection, notice builds, campaigns) queued to be run
 * by the server or by `tocsin worker` processes. A running job is held under a lease
 * (`locked_until`) that its worker renews; a job whose lease ran out is taken over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('progress', 'text')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('cancel_requested_at', 'text')
    .addColumn('worker', 'text')
    .addColumn('worker_host', 'text')
    .addColumn('worker_pid', 'integer')
    .addColumn('locked_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('jobs_queue').on('jobs').columns(['state', 'created_at']).execute();
  await db.schema.createIndex('jobs_incident').on('jobs').columns(['incident_id', 'created_at']).execute();
}

import type { Kysely } from 'kysely';

/**
 * The attacker's revealing requests that named no record, kept per scope run with their file
 * and line: each is someone the attacker may have read who is missing from the affected list
 * (an order the export left out, a row the import quarantined, a record a purge deleted).
 * `purge` names the purge that deleted the record the value belonged to, where one did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('unknown_reads')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('hit', 'integer', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('column_name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('ip', 'text')
    .addColumn('peer', 'text')
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('purge', 'integer')
    .addPrimaryKeyConstraint('unknown_reads_pk', ['incident_id', 'run', 'hit'])
    .execute();
}

import type { Kysely } from 'kysely';

/**
 * What a purge removed, so that a later scope run can tell when the attacker reached records
 * that are no longer there: each purge, and the values rules can bind of every record it
 * deleted (record keys, looked-up columns) as keyed hashes, never in clear. A scope run keeps
 * how many of its requests reached them, and the dates of the purges they reached.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('purges')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('purge', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('subjects', 'integer', (c) => c.notNull())
    .addColumn('kept_with_notice', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('purges_pk', ['incident_id', 'purge'])
    .execute();

  await db.schema
    .createTable('purged_values')
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('value_hash', 'text', (c) => c.notNull())
    .addColumn('purge', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('purged_values_pk', ['incident_id', 'value_hash', 'purge'])
    .execute();

  await db.schema.alterTable('scope_runs').addColumn('purged_requests', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('scope_runs').addColumn('purged_at', 'text').execute();
}

import type { Kysely } from 'kysely';

/**
 * The values each quarantined row could be read by (its key, email, mapped and kept cells), as
 * keyed hashes, never in clear: a scope run whose attacker read a value that named no record
 * can tell that it belongs to a quarantined row (a point-of-sale order without an email, a
 * broken row), a person the attacker read who is missing from the affected list. Unknown reads
 * name that row (its import and line).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('quarantined_values')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('import_id', 'integer', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('value_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('quarantined_values_pk', ['incident_id', 'value_hash', 'import_id', 'line'])
    .execute();

  await db.schema.alterTable('unknown_reads').addColumn('quarantine_import', 'integer').execute();
  await db.schema.alterTable('unknown_reads').addColumn('quarantine_line', 'integer').execute();
  await db.schema.alterTable('scope_runs').addColumn('quarantined_rows', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

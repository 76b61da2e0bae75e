import type { Kysely } from 'kysely';

/** Imported records, their lookups and quarantine; scope runs with their evidence and exposures. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('imports')
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('mapping', 'text', (c) => c.notNull())
    .addColumn('rows_read', 'integer', (c) => c.notNull())
    .addColumn('imported', 'integer', (c) => c.notNull())
    .addColumn('quarantined', 'integer', (c) => c.notNull())
    .addColumn('subjects', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('imports_pk', ['incident_id', 'id'])
    .execute();

  await db.schema
    .createTable('records')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('locale', 'text')
    .addColumn('country', 'text')
    .addColumn('region', 'text')
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('import_id', 'integer', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('records_pk', ['incident_id', 'key'])
    .execute();
  await db.schema.createIndex('records_subject').on('records').columns(['incident_id', 'subject']).execute();

  await db.schema
    .createTable('record_lookups')
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('column_name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('import_id', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('record_lookups_value').on('record_lookups').columns(['incident_id', 'column_name', 'value']).execute();

  await db.schema
    .createTable('quarantine')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('import_id', 'integer', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('quarantine_pk', ['incident_id', 'import_id', 'line'])
    .execute();

  await db.schema
    .createTable('scope_runs')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('rules_path', 'text', (c) => c.notNull())
    .addColumn('rules_sha256', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('log_format', 'text', (c) => c.notNull())
    .addColumn('attacker_requests', 'integer', (c) => c.notNull())
    .addColumn('affected', 'integer', (c) => c.notNull())
    .addColumn('exposed_records', 'integer', (c) => c.notNull())
    .addColumn('unknown_values', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scope_runs_pk', ['incident_id', 'run'])
    .execute();

  await db.schema
    .createTable('evidence')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .addColumn('lines', 'bigint', (c) => c.notNull())
    .addColumn('unparseable', 'bigint', (c) => c.notNull())
    .addColumn('truncated', 'integer', (c) => c.notNull())
    .addColumn('too_long', 'integer', (c) => c.notNull())
    .addColumn('first_time', 'text')
    .addColumn('last_time', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('evidence_pk', ['incident_id', 'run', 'path'])
    .execute();

  await db.schema
    .createTable('exposures')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('exposed', 'integer', (c) => c.notNull())
    .addColumn('first_access', 'text')
    .addColumn('last_access', 'text')
    .addColumn('requests', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('exposures_pk', ['incident_id', 'run', 'subject', 'category'])
    .execute();

  await db.schema
    .createTable('affected')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('first_access', 'text', (c) => c.notNull())
    .addColumn('last_access', 'text', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull())
    .addColumn('records', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('affected_pk', ['incident_id', 'run', 'subject'])
    .execute();

  await db.schema
    .createTable('exposure_evidence')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('record_key', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('line', 'bigint', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('exposes', 'integer', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('exposure_evidence_pk', ['incident_id', 'run', 'path', 'line', 'record_key'])
    .execute();
  await db.schema.createIndex('exposure_evidence_subject').on('exposure_evidence').columns(['incident_id', 'run', 'subject']).execute();
}

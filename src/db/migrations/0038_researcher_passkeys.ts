import type { Kysely } from 'kysely';

/**
 * Researchers' passkeys and recovery codes, in tables of their own (a researcher is never an
 * account): a passkey as staff's are kept (its id and COSE public key in base64url), and the
 * keyed hashes of the recovery codes shown once when an authenticator app is enrolled.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bounty_researcher_passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('researcher_id', 'text', (c) => c.notNull().references('bounty_researchers.id'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('bounty_researcher_passkeys_researcher').on('bounty_researcher_passkeys').column('researcher_id').execute();

  await db.schema
    .createTable('bounty_researcher_recovery_codes')
    .addColumn('researcher_id', 'text', (c) => c.notNull().references('bounty_researchers.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addPrimaryKeyConstraint('bounty_researcher_recovery_codes_pk', ['researcher_id', 'code_hash'])
    .execute();
}

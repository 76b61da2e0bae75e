import type { Kysely } from 'kysely';

/**
 * The bug bounty's OpenPGP key and its signed security.txt, in the database rather than the data
 * directory: every server process, on any machine sharing a PostgreSQL database, serves the same
 * signed file and can sign it anew. The private key is stored encrypted with a passphrase derived
 * from the installation's secret, so the database alone does not give it away.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bounty_signing_keys')
    /** One key signs at a time: `current`; a new one replaces it. */
    .addColumn('slot', 'text', (c) => c.primaryKey())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    /** `generated` or `imported`. */
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('bounty_security_txt')
    .addColumn('slot', 'text', (c) => c.primaryKey())
    /** The cleartext-signed file as served. */
    .addColumn('body', 'text', (c) => c.notNull())
    /** SHA-256 of the fields other than Expires: a change of the configuration's fields is signed anew at once. */
    .addColumn('fields_sha256', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

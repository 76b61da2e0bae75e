import { SqliteAdapter, type Kysely } from 'kysely';

/**
 * Suspicious messages customers report through the portal, for the phishing desk: each one's
 * bytes exactly as sent, never parsed on the way in. The bytes live in the row (a BLOB, a bytea)
 * rather than a file in the data directory: a `tocsin worker` on another machine can read them,
 * a report and its message are written (and purged) together, and the portal's size limit keeps
 * rows small.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('phishing_reports')
    .addColumn('reference', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'text', (c) => c.notNull())
    /** `file` (an uploaded .eml), `message` (a message/rfc822 body) or `pasted` (its source, typed into the form). */
    .addColumn('received_as', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('message', sqlite ? 'blob' : 'bytea', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phishing_reports_received').on('phishing_reports').column('received_at').execute();
  await db.schema.createIndex('phishing_reports_sha256').on('phishing_reports').column('sha256').execute();
}
